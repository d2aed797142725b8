# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one test harness: collection tree, portal emulator process and its control client, playbook runs.

Used by noxfile.py, the system suite (tests/system), the benchmark (bench/) and the demo (demo/).
"""
