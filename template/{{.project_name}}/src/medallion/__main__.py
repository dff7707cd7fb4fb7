"""`python -m medallion ...` runs the same command as the `medallion` console script."""

import sys

from medallion.cli import main

sys.exit(main())
