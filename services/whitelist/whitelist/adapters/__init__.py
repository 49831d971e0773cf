"""whitelist adapters: tables, repositories, the national-platform client."""
