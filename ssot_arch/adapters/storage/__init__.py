"""The signed store under every cache, and the baseline file."""
