"""Tooling subcommands of `medallion`, one module each (the runtime ones are in medallion.commands)."""
