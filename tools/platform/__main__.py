"""Entry point of `python3 -m tools.platform`."""

import sys

from tools.platform.cli import main

sys.exit(main())
