# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test-only connection: a stand-in for a remote host (ssh), executing on this machine.

It is not the local connection, so the collection's action plugins must ship the module to it as a
module process; running the command here keeps the system suite free of sshd.
"""

from __future__ import annotations

DOCUMENTATION = """
name: docspace_stand_in
short_description: Test-only stand-in for a remote connection
description:
  - Runs commands on the controller like the local connection, under another transport name.
author: onlyoffice.docspace contributors (@onlyoffice-community)
options: {}
extends_documentation_fragment:
  - connection_pipelining
"""

from ansible.plugins.connection.local import Connection as LocalConnection


class Connection(LocalConnection):
    """The local connection under a name that is not 'local'."""

    transport = "docspace_stand_in"
