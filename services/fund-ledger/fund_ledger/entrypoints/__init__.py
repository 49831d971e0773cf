"""HTTP routes, event consumers and the command line of fund-ledger."""
