"""Root conftest: every test gets the shared fixtures (real broker, real PostgreSQL, tokens, clients)."""

pytest_plugins = ["xinyidai_shared.testing"]
