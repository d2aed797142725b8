#!/usr/bin/env python
"""Start the DocSpace portal emulator: ``python tests/emulator/run_emulator.py --help``."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from docspace_emulator.cli import main  # noqa: E402  pylint: disable=wrong-import-position

if __name__ == "__main__":
    sys.exit(main())
