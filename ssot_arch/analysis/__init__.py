"""Analyses: pure functions from an import graph (and a contract) to findings."""
