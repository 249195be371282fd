"""Benchmarks (run on purpose, not tests); see bench/README.md."""
