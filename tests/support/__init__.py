"""Helpers shared by the tests: orders, logging in, waiting, worker processes."""
