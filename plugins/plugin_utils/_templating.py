# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""The first template of a process, rendered once in Ansible's main process so that its workers inherit it.

Ansible forks a worker per task and host, and each worker renders that task's templates (its arguments,
delegate_to, when). The first template a process renders also builds Jinja's lexer (a dozen compiled regular
expressions) and loads ansible-core's filter and test plugins: ~3 ms of CPU in every worker of the collection's
tasks, unless the main process did it before forking. Only public interfaces: ansible.template.Templar.
"""

from __future__ import annotations

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:  # ansible-core 2.19 and later render only strings marked as trusted templates
    from ansible.template import trust_as_template
except ImportError:  # ansible-core 2.17 renders every string
    def trust_as_template(value: str) -> str:
        return value

# A filter and a test: the first of each loads their plugins.
FIRST_TEMPLATE = "{{ 0 | default(0) is none }}"


def warm_up() -> object:
    """Render FIRST_TEMPLATE; what it gives (False) matters to the tests alone."""
    return Templar(loader=DataLoader()).template(trust_as_template(FIRST_TEMPLATE))
