"""Benchmark scripts: run with `make bench`."""
