"""Benchmark helpers for scripts/bench.py: local pipeline vs a plain PySpark batch baseline."""
