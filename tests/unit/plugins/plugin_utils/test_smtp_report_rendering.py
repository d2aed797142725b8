# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the report's pure part: what the task results of a portal mean, and the three renderings."""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _smtp_report as report

SETTINGS = {"host": "smtp.example.com", "port": 587, "sender_address": "noreply@example.com",
            "sender_display_name": "DocSpace", "enable_ssl": True, "enable_auth": True, "username": "mailer",
            "use_ntlm": False, "is_default": False}
DEFAULT = {**SETTINGS, "host": "", "enable_auth": False, "username": None, "is_default": True}


def settings_result(changed, after, before=None, password_note=False):
    """An smtp_settings result as the module returns it with --diff."""
    result = {"changed": changed, "settings": after}
    if before is not None:
        diff_after = {key: value for key, value in after.items() if key != "use_ntlm"}
        if password_note:
            diff_after["password"] = "(will be sent, not shown)"
        result["diff"] = {"before": before, "after": diff_after}
    return result


def row(check_mode=True, **fields):
    return report.build_row(report.PortalResults("portal", check_mode=check_mode, **fields))


@pytest.mark.parametrize("check_mode, result, status", [
    (True, settings_result(False, SETTINGS), "in_sync"),
    (True, settings_result(False, DEFAULT), "in_sync"),
    (True, settings_result(True, SETTINGS, before=DEFAULT), "default"),
    (False, settings_result(True, SETTINGS, before=DEFAULT), "changed"),
    (True, settings_result(True, DEFAULT, before=SETTINGS), "would_reset"),
    (False, settings_result(True, DEFAULT, before=SETTINGS), "reset"),
    (True, settings_result(True, SETTINGS, before={**SETTINGS, "port": 25}), "drifted"),
    (False, settings_result(True, SETTINGS, before={**SETTINGS, "port": 25}), "changed"),
])
def test_status_of_a_settings_result(check_mode, result, status):
    """Each outcome of smtp_settings has its own status, and a real run says what it did."""
    assert row(check_mode, settings=result).status == status


def test_drift_lists_the_fields_before_and_after_and_never_the_password():
    """Only the differing fields, in the module's order; the password is 'not comparable', never a value."""
    result = settings_result(True, SETTINGS, before={**SETTINGS, "port": 25, "sender_display_name": "Old"},
                             password_note=True)
    drifted = row(settings=result)
    assert drifted.changes == [{"field": "port", "before": 25, "after": 587},
                               {"field": "sender_display_name", "before": "Old", "after": "DocSpace"}]
    assert drifted.password == "not comparable"
    assert "will be sent" not in json.dumps(drifted.as_dict())


@pytest.mark.parametrize("check_mode, before, diff, note", [
    (False, DEFAULT, True, "was on the installation default"),
    (True, SETTINGS, True, "update_password: always"),
    (True, None, False, "--diff"),
])
def test_a_change_says_why_when_the_fields_do_not(check_mode, before, diff, note):
    result = settings_result(True, SETTINGS, before=before) if diff else settings_result(True, SETTINGS)
    assert note in row(check_mode, settings=result).message


def test_failure_unreachable_and_silence():
    """A failure names its task; unreachable wins over everything; a portal nobody checked says so."""
    failed = row(settings={"failed": True, "msg": "GET /api/2.0/smtpsettings/smtp: 401"}, failure="401 rejected",
                 failed_task="Read")
    assert (failed.status, failed.message) == ("failed", "Read: 401 rejected")
    gone = row(settings=settings_result(False, SETTINGS), unreachable="ssh: connection refused")
    assert (gone.status, gone.message) == ("unreachable", "ssh: connection refused")
    silent = row()
    assert (silent.status, silent.test) == ("not_checked", "not run")
    assert "no smtp_settings task" in silent.message


def test_test_mail_results():
    """Passed with the job's progress; failed with the module's message; check mode and wait=false: not run."""
    passed = row(False, settings=settings_result(False, SETTINGS),
                 test={"operation": {"completed": True, "percents": 100}, "elapsed": 1.2})
    assert (passed.status, passed.test, passed.test_message) == ("in_sync", "passed", "100 %, 1.2 s")
    failed = row(False, settings=settings_result(False, SETTINGS), test={"msg": "Authenticate: 535"},
                 test_failed=True, failure="Authenticate: 535", failed_task="Send a test mail")
    assert (failed.status, failed.test, failed.test_message) == ("failed", "failed", "Authenticate: 535")
    skipped = row(settings=settings_result(False, SETTINGS), test={"msg": "check mode: no test mail sent"})
    assert skipped.test == "not run"
    started = row(False, settings=settings_result(False, SETTINGS), test={"operation": {"completed": False}})
    assert (started.test, started.test_message) == ("not run", "started, not waited for (wait: false)")


def fleet():
    return [report.Row("b-portal", "in_sync", password="not comparable"),
            report.Row("a-portal", "drifted", changes=[{"field": "port", "before": 25, "after": 587}]),
            report.Row("c|<script>alert(1)</script>", "failed", message="broken | pipe\nnewline", test="failed"),
            report.Row("d-portal", "default", test="passed", test_message="100 %, 0.4 s")]


def test_summary_counts_every_status_and_test():
    data = report.summary(fleet(), check_mode=True)
    assert data["portals"] == 4
    assert {key: value for key, value in data["statuses"].items() if value} == {
        "in_sync": 1, "drifted": 1, "failed": 1, "default": 1}
    assert data["tests"] == {"passed": 1, "failed": 1, "not run": 2}
    assert report.summary_line(data) == ("4 portals, check run (nothing was changed): 1 failed, 1 drifted, "
                                         "1 on the installation default, 1 in sync, test mail: 1 passed, 1 failed")


def test_json_has_every_row_worst_first():
    data = json.loads(report.render_json(fleet(), {"check_mode": True, "title": "site.yml"}))
    order = [entry["portal"] for entry in data["rows"]]
    assert order == ["c|<script>alert(1)</script>", "a-portal", "d-portal", "b-portal"]
    assert data["rows"][1]["changes"] == [{"field": "port", "before": 25, "after": 587}]
    assert data["summary"]["mode"] == "check"


def test_markdown_table_stays_a_table():
    """One line per portal with five cells, whatever the message holds."""
    lines = report.render_markdown(fleet(), {"check_mode": False}).splitlines()
    table = [line for line in lines if line.startswith("| ") and "---" not in line]
    assert len(table) == 5
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 7 for line in table)
    assert '| a-portal | \u25b2 drifted | port: 25 \u2192 587 |' in "\n".join(lines)
    assert "real run" in lines[2]


def test_html_is_self_contained_escaped_and_sortable():
    page = report.render_html(fleet(), {"check_mode": True})
    assert not re.search(r"<link|<img|\bsrc=|@import|url\(", page)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert page.count("<tr><td>") == 4
    assert re.search(r'<td class="s-failed" data-sort="1">\u2716 failed</td>', page)
    assert 'data-column="status" data-type="number"' in page


M365 = {"id": "microsoft-365-basic-auth", "summary": "Microsoft turns ...", "advice": "...", "effective": "2026-12-31",
        "source": "..."}


def test_advisories_are_listed_per_portal_and_counted_in_the_summary():
    """Each row names its advisories by the table's label and date; the summary counts portals per advisory."""
    rows = [row(settings=settings_result(False, SETTINGS), advisories=[M365]) for _portal in range(3)]
    rows.append(row(settings=settings_result(False, SETTINGS)))
    assert rows[0].advisories == [{"id": "microsoft-365-basic-auth", "summary": "Microsoft turns ...",
                                   "effective": "2026-12-31"}]
    data = report.summary(rows, check_mode=True)
    assert data["advisories"] == {"microsoft-365-basic-auth": 3}
    assert report.summary_line(data).endswith("4 in sync, 3 portals relay through Microsoft 365 with basic authentication")
    cell = "Microsoft 365 turns SMTP AUTH basic authentication off (2026-12-31)"
    assert report.render_markdown(rows, {}).count("| Microsoft 365 turns SMTP AUTH basic authentication off \\(2026-12-31\\) |") == 3
    assert report.render_html(rows, {}).count(f">{cell}</span>") == 3
    assert json.loads(report.render_json(rows, {}))["rows"][0]["advisories"][0]["id"] == "microsoft-365-basic-auth"


MARKUP = '<img src=https://evil.test/x onerror=alert(1)>'


def test_markup_in_every_cell_is_escaped():
    """Every text a portal (or something posing as one) controls: name, changed values, messages, advisories."""
    rows = [report.Row(f"p{MARKUP}", "failed", changes=[{"field": "sender_display_name", "before": MARKUP, "after": "x"}],
                       message=f"Read: {MARKUP}", test="failed", test_message=f"535 {MARKUP}",
                       advisories=[{"id": "microsoft-365-basic-auth", "summary": MARKUP, "effective": MARKUP}])]
    for page in (report.render_html(rows, {"title": MARKUP}), report.render_markdown(rows, {"title": MARKUP})):
        assert "<img" not in page and "&lt;img src=https://evil.test/x onerror=alert" in page
    escaped = "&lt;img src=https://evil.test/x onerror=alert(1)&gt;"
    html_page = report.render_html(rows, {})
    for cell in (f"<td>p{escaped}</td>", f'sender_display_name: &quot;{escaped}&quot;', f"Read: {escaped}",
                 f"<small>535 {escaped}</small>", f'title="{escaped}"', f"off ({escaped})"):
        assert cell in html_page, cell
    md_escaped = "&lt;img src=https://evil.test/x onerror=alert\\(1\\)&gt;"
    (line,) = [line for line in report.render_markdown(rows, {}).splitlines() if line.startswith("| p&lt;")]
    cells = line.strip("| ").split(" | ")
    assert [cells[0], cells[2], cells[4], cells[5]] == [
        f"p{md_escaped}", f'sender\\_display\\_name: "{md_escaped}" \u2192 "x"; Read: {md_escaped}',
        f"failed \\(535 {md_escaped}\\)", f"Microsoft 365 turns SMTP AUTH basic authentication off \\({md_escaped}\\)"]


@pytest.mark.parametrize("name, shown", [
    ("![x](https://evil.test/t.png)", "\\!\\[x\\]\\(https://evil.test/t.png\\)"),
    ("[click](javascript:alert(1))", "\\[click\\]\\(javascript:alert\\(1\\)\\)"),
    # The value is shown as JSON: its one backslash is two, each escaped.
    ("`code` *bold* _it_ ~~gone~~ a|b back\\slash", "\\`code\\` \\*bold\\* \\_it\\_ \\~\\~gone\\~\\~ a\\|b back\\\\\\\\slash"),
], ids=["image", "link", "emphasis, code, pipe, backslash"])
def test_markdown_markup_in_a_cell_is_shown_not_rendered(name, shown):
    """A portal's text must not make a forge's Markdown preview load an image or show a link."""
    markdown = report.render_markdown([report.Row("p", "drifted", changes=[
        {"field": "sender_display_name", "before": name, "after": "x"}])], {})
    assert f'| sender\\_display\\_name: "{shown}" \u2192 "x" |' in markdown
