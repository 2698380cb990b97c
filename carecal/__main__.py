"""``python -m carecal``: the command line, as the ``carecal`` command runs it."""

import sys

from carecal.cli import main

sys.exit(main())
