"""Xinyidai credit-data service: public credit data in, explained ratings and credit reports out."""
