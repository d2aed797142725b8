# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""The ansible-core releases the collection is tested with: the one list that both sides read.

noxfile.py builds its test matrix from it (sanity, units and integration on each release, with the
controller Python given here), and the action plugins run a module in Ansible's worker only on a release
series listed here (plugin_utils/_in_process.py). Adding a release to CI is therefore what enables the
in-process path on it; on any other series the module is shipped as a module process.

Keep this file free of imports: noxfile.py reads it without ansible-core installed.
"""

from __future__ import annotations

# release series -> (the pinned release `make test` runs, the controller Python of its matrix leg)
TESTED_CORES = {
    "2.17": ("2.17.14", "3.12"),
    "2.19": ("2.19.14", "3.11"),
    "2.21": ("2.21.5", "3.13"),
    "2.22": ("2.22.0rc1", "3.13"),
}


def release_series(version: str) -> str:
    """'2.22' for '2.22.0rc1', '2.22.0' or '2.22.3.post1'."""
    return ".".join(version.split(".")[:2])
