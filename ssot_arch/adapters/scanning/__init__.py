"""Scanning a repository: the module universe, grimp's scan in worker processes, the
source passes, and the caches of what they found."""
