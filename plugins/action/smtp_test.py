# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action for onlyoffice.docspace.smtp_test: runs the module in Ansible's worker on the controller, else ships it.

In the onlyoffice.docspace.smtp role, a failed test mail also says what the next run of the role will do.
"""

from __future__ import annotations

from typing import Any

from ansible import constants as C

from ansible_collections.onlyoffice.docspace.plugins.plugin_utils._in_process import DocSpaceAction, preload

preload()

ROLE = "onlyoffice.docspace.smtp"


def next_run(cache_plugin: str) -> str:
    """One line on what the role's next run does after a failed test, given the fact cache in use."""
    if cache_plugin in ("memory", "ansible.builtin.memory"):
        return ("Ansible's fact cache is off (fact_caching: memory), so the next run cannot know that this test "
                "failed: run it with docspace_smtp_test: always, or turn on a fact cache (e.g. fact_caching: "
                "jsonfile), to test again.")
    return (f"The next run saves these settings again and repeats the test until one passes ({cache_plugin} "
            "fact cache, docspace_smtp_untested).")


class ActionModule(DocSpaceAction):
    """The smtp_test module, in-process on a local connection (see plugin_utils/_in_process.py)."""

    module = "smtp_test"

    def run(self, tmp: Any = None, task_vars: Any = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        role = self._task._role  # pylint: disable=protected-access  # the task's role; no public accessor
        # A test job that ran and failed; not a refused connection or a wrong option, which a re-test cannot mend.
        if result.get("failed") and result.get("operation") and role is not None \
                and role.get_name(include_role_fqcn=True) == ROLE:
            result["msg"] = f"{result.get('msg', '')} {next_run(str(C.config.get_config_value('CACHE_PLUGIN')))}"
        return result
