"""A stand-in for the SMTP settings part of an ONLYOFFICE DocSpace portal, with a real SMTP server beside it.

Used by the collection's tests and demo, and by users who want to rehearse playbooks offline.
``from docspace_emulator import Emulator`` is the Python entry point; ``run_emulator.py`` the command line one.
Emulator and Portal are imported when first asked for, so that the command line can check its requirements
(requirements_check.py) before anything imports them.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .emulator import Emulator, Portal

__all__ = ["Emulator", "Portal"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import emulator  # pylint: disable=import-outside-toplevel

        return getattr(emulator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
