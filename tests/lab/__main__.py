"""`python -m tests.lab up|status|inventory|monitor|down` (see tests/lab/cli.py)."""
import sys

from tests.lab.cli import main

sys.exit(main())
