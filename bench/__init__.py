"""Benchmarks that print their figures; run them as scripts (see the README)."""
