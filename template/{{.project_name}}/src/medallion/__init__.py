"""Medallion pipeline helpers: spec, readers, rules, quarantine, star schema, monitor, local runner."""
