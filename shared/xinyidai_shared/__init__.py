"""Xinyidai's shared package: the only contract and plumbing the four services have in common."""
