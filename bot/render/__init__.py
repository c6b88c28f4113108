"""Pure functions from a Reply to what a person sees (terminal text, Block Kit)."""
