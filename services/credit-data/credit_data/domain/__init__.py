"""Pure domain of credit-data: records, profiles, the scorecard, dishonesty, risk rules. No I/O here."""
