"""The content model, its loader and its validator."""
