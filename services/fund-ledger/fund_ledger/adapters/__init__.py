"""Database tables, repositories and document renderers of fund-ledger."""
