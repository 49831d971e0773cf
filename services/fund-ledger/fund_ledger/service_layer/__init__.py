"""Command and event handlers: each takes a unit of work and never commits."""
