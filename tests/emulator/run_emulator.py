#!/usr/bin/env python
"""Start the DocSpace portal emulator: ``python tests/emulator/run_emulator.py --help``."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position
from docspace_emulator.requirements_check import exit_unless_installed  # noqa: E402

exit_unless_installed()  # one line naming tests/requirements/emulator.txt, before the imports that need it

from docspace_emulator.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
