"""Claims service: banks, products, loans from core systems, eligibility, compensation claims, statistics."""
