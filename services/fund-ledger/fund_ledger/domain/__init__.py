"""Pure domain of the fund: accounts, transfers, policy arithmetic, queue and invariants. No I/O here."""
