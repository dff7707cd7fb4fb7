"""Tests of the `medallion` command line (medallion/cli.py and its commands)."""
