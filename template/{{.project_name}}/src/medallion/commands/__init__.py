"""Subcommands of the `medallion` command, one module each."""
