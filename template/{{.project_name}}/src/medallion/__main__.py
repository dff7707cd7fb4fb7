"""`python -m medallion ...` runs the same command as the `medallion` console script."""

from medallion.cli import console_main

console_main()
