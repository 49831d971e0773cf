"""whitelist command and event handlers: they take a unit of work and never commit."""
