"""whitelist entrypoints: HTTP routers, event consumers, supervised jobs."""
