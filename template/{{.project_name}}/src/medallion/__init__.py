"""Medallion pipeline helpers: spec, readers, rules, quarantine, star schema, monitor, local runner."""

# The template release these helpers come from (`medallion --version`).
__version__ = "0.4.0"
