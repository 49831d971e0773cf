"""fund-ledger: the risk-mitigation fund's double-entry books (Measures art.7, 12, 15, 18, 19)."""
