"""``python -m ddilint``: the same as the ``ddilint`` command."""

import sys

from ddilint.cli import main

sys.exit(main())
