"""Repository checks run by pre-commit (`python -m medallion.tooling.checks.<name> FILE...`)."""
