"""Tests of `medallion deploy` and `medallion settings` with a fake CLI and API."""
