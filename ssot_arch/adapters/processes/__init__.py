"""Running work in other processes: the forked map with its one crash rule, the collector pause."""
