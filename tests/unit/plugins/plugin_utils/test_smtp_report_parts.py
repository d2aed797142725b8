# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Report parts of a sliced audit and their merge: every portal exactly once, one audit at a time."""

from __future__ import annotations

import json

import pytest

from ansible_collections.onlyoffice.docspace.plugins.filter.smtp_report_merge import smtp_report_merge
from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _smtp_report as report

META = {"title": "site.yml", "check_mode": True, "generated": "2026-12-04 10:00:00 UTC"}


def rows(*portals: str) -> list[report.Row]:
    return [report.Row(portal, "in_sync", password="not comparable") for portal in portals]


def part(run: str, *portals: str, audit: str = "awx-workflow-7") -> dict:
    return json.loads(report.render_part(rows(*portals), META, audit, run))


def test_a_part_holds_its_rows_and_names_its_audit_and_run():
    written = part("awx-job-11", "p1", "p5")
    assert (written["audit"], written["run"]) == ("awx-workflow-7", "awx-job-11")
    assert [report.row_from_dict(row) for row in written["rows"]] == rows("p1", "p5")


def test_the_parts_of_one_audit_make_one_report_of_every_portal():
    merged = report.merge_parts([part("awx-job-12", "p2", "p4"), part("awx-job-11", "p1", "p3")], ["p1", "p2", "p3", "p4"])
    assert sorted(row.portal for row in merged.rows) == ["p1", "p2", "p3", "p4"]
    assert merged.problems == [] and merged.meta["runs"] == ["awx-job-11", "awx-job-12"]


def test_a_portal_in_two_parts_one_in_none_and_one_unknown_are_named():
    merged = report.merge_parts([part("a", "p1", "p2"), part("b", "p2", "p9")], ["p1", "p2", "p3"])
    assert merged.problems == ["p2 is in 2 parts (a, b)", "1 portal of the inventory in no part: p3",
                               "1 portal not in the inventory: p9"]
    assert sorted(row.portal for row in merged.rows) == ["p1", "p2", "p9"]  # p2 once


@pytest.mark.parametrize("parts, problem", [
    ([part("a", "p1"), part("b", "p2", audit="awx-workflow-8")], "different audits (awx-workflow-7, awx-workflow-8)"),
    ([part("a", "p1"), part("a", "p2")], "run a wrote more than one part"),
    ([{"rows": []}], "not report parts"),
    ([], "no report part"),
])
def test_parts_that_cannot_be_merged_are_refused(parts, problem):
    with pytest.raises(report.PartError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        report.merge_parts(parts, ["p1", "p2"])


def test_the_filter_renders_all_three_files_and_puts_the_coverage_on_top():
    merged = smtp_report_merge([json.dumps(part("a", "p1")), part("b", "p1")], ["p1", "p2"])
    assert merged["problems"] == ["p1 is in 2 parts (a, b)", "1 portal of the inventory in no part: p2"]
    assert "**Coverage:** p1 is in 2 parts \\(a, b\\)." in merged["markdown"]
    assert '<p class="coverage"><strong>Coverage:</strong> p1 is in 2 parts (a, b).</p>' in merged["html"]
    assert json.loads(merged["json"])["coverage"] == merged["problems"]
    assert merged["summary"].startswith("1 portal, check run")
