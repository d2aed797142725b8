# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: smtp_report_merge
short_description: Merge the report parts of one sliced audit into one fleet report
version_added: 0.1.0
description:
  - Takes the report parts that the C(onlyoffice.docspace.smtp_report) callback wrote for the runs of one audit
    (AWX or Automation Platform job slices, or runs on several controllers; see its
    O(onlyoffice.docspace.smtp_report#callback:report_audit) option) and
    returns the one report they make, as the three files' texts, checked against the portals of the inventory.
  - Every portal must be in exactly one part. Portals in two parts, portals of the inventory in none and portals
    not in the inventory are named in RV(_value.problems) and at the top of the report.
  - Parts of different audits, files that are no report parts and two parts of one run are refused with an error.
  - The C(onlyoffice.docspace.smtp_report_merge) playbook reads the parts, writes the files and fails when the
    coverage check found a problem.
options:
  _input:
    description: The report parts, each as read from its JSON file (a mapping, or the file's text).
    type: list
    elements: raw
    required: true
  inventory:
    description: The portals the audit covers, for example V(groups['all']).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Merge the parts in reports/ into one report, for the portals of the inventory
  ansible.builtin.set_fact:
    merged: >-
      {{ query('ansible.builtin.file', *query('ansible.builtin.fileglob', 'reports/smtp-report-part-*.json'))
         | onlyoffice.docspace.smtp_report_merge(groups['all']) }}

- name: Fail when a portal is in two parts or in none
  ansible.builtin.fail:
    msg: "{{ merged.problems | join('; ') }}"
  when: merged.problems | length > 0
"""

RETURN = r"""
_value:
  description: The merged report.
  type: dict
  contains:
    json:
      description: The text of C(smtp-report.json).
      type: str
    markdown:
      description: The text of C(smtp-report.md).
      type: str
    html:
      description: The text of C(smtp-report.html).
      type: str
    summary:
      description: The report's summary line.
      type: str
    problems:
      description: What the coverage check found, one sentence each; empty when every portal is in exactly one part.
      type: list
      elements: str
"""

import json
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _smtp_report as report


def _part(item: Any) -> dict[str, Any]:
    """A part as a mapping: the file's text is parsed."""
    if isinstance(item, str):
        try:
            item = json.loads(item)
        except ValueError as error:
            raise AnsibleFilterError(f"a report part is not JSON ({error}): pass the parts' files as written") from None
    if not isinstance(item, dict):
        raise AnsibleFilterError(f"a report part must be a mapping, not {type(item).__name__}")
    return item


def smtp_report_merge(parts: list[Any], inventory: list[str]) -> dict[str, Any]:
    """The parts of one audit as one report, with the coverage check's findings."""
    try:
        merged = report.merge_parts([_part(item) for item in parts], [str(host) for host in inventory])
    except report.PartError as error:
        raise AnsibleFilterError(str(error)) from None
    meta = {**merged.meta, "coverage": merged.problems}
    return {"json": report.render_json(merged.rows, meta), "markdown": report.render_markdown(merged.rows, meta),
            "html": report.render_html(merged.rows, meta), "problems": merged.problems,
            "summary": report.summary_line(report.summary(merged.rows, meta["check_mode"]))}


class FilterModule:  # pylint: disable=too-few-public-methods
    """The collection's report filter."""

    def filters(self) -> dict[str, Any]:
        return {"smtp_report_merge": smtp_report_merge}
