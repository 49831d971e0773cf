"""The claims domain: pure Python, no framework or I/O imports (a unit test walks the imports)."""
