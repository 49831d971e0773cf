"""Xinyidai web console: pages for every person in every workflow, over the four services' HTTP APIs."""
