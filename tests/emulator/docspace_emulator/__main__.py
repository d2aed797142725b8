"""``python -m docspace_emulator``: same as ``run_emulator.py``."""

import sys

from .cli import main

sys.exit(main())
