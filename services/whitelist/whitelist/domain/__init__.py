"""Whitelist domain: pure rules, no framework or I/O imports."""
