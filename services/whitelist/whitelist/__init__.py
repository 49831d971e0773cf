"""Xinyidai whitelist service: the recommended-enterprise list (推荐名单)."""
