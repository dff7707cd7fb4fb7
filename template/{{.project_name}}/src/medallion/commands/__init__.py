"""Runtime subcommands of `medallion`, one module each: what the job's wheel tasks run.

The local tools' subcommands are in medallion.tooling.commands (not in the wheel).
"""
