"""A minimal service used only to test the shared plumbing against the real broker and databases."""
