"""A stand-in for the SMTP settings part of an ONLYOFFICE DocSpace portal, with a real SMTP server beside it.

Used by the collection's tests and demo, and by users who want to rehearse playbooks offline.
``from docspace_emulator import Emulator`` is the Python entry point; ``run_emulator.py`` the command line one.
"""

from .emulator import Emulator, Portal

__all__ = ["Emulator", "Portal"]
