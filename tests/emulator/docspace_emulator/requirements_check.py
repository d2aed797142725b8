"""Before the emulator imports its requirements: say in one line which file installs them (standard library only).

``run_emulator.py`` and ``python -m docspace_emulator`` call :func:`exit_unless_installed` first, so that a Python
without them gets that line instead of a ``ModuleNotFoundError`` traceback from deep inside the package.
"""

import importlib
import os
import sys
from typing import List

# What the emulator imports at run time from tests/requirements/emulator.txt (the rest of that file, requests and
# pytest, is for its tests). Imported here, not only looked up, so that a requirement's own missing dependency
# (aiosmtpd's atpublic and attrs) is caught too.
RUNTIME_MODULES = ("aiosmtpd", "trustme")
REQUIREMENTS_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                 "requirements", "emulator.txt")


def missing_modules() -> List[str]:
    """The runtime modules (or modules they need) that cannot be imported, in order."""
    missing = []
    for name in RUNTIME_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as error:
            missing.append(getattr(error, "name", None) or name)
    return missing


def requirements_path() -> str:
    """tests/requirements/emulator.txt, relative to the working directory when it is below it."""
    relative = os.path.relpath(REQUIREMENTS_FILE)
    return REQUIREMENTS_FILE if relative.startswith(os.pardir) else relative


def message(missing: List[str]) -> str:
    """The one line printed when modules are missing."""
    return (f"the emulator needs its requirements (missing in {sys.executable}: {', '.join(missing)}): "
            f"pip install -r {requirements_path()} (or run make emulator)")


def exit_unless_installed() -> None:
    """Exit with status 1 and one line on stderr when a runtime requirement is missing."""
    missing = missing_modules()
    if missing:
        print(message(missing), file=sys.stderr)
        sys.exit(1)
