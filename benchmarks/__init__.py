"""Benchmarks and the synthetic monorepo generator they (and the tests) use."""
