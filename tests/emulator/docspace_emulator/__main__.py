"""``python -m docspace_emulator``: same as ``run_emulator.py``."""

import sys

from .requirements_check import exit_unless_installed

exit_unless_installed()  # before .cli imports aiosmtpd and trustme

# pylint: disable-next=wrong-import-position
from .cli import main  # noqa: E402

sys.exit(main())
