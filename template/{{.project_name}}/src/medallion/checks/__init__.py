"""Repository checks run by pre-commit (`python -m medallion.checks.<name> FILE...`)."""
