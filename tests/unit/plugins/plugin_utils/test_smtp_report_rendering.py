# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the report's pure part: what the task results of a portal mean, and the three renderings."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _smtp_report as report

SETTINGS = {"host": "smtp.example.com", "port": 587, "sender_address": "noreply@example.com",
            "sender_display_name": "DocSpace", "enable_ssl": True, "enable_auth": True, "username": "mailer",
            "use_ntlm": False, "is_default": False}
DEFAULT = {**SETTINGS, "host": "", "enable_auth": False, "username": None, "is_default": True}


def settings_result(changed, after, before=None, password_note=False, diff=True):
    """An smtp_settings result as the module returns it, with --diff unless diff is false."""
    before = after if before is None else before
    result = {"changed": changed, "settings": after, "was_default": before["is_default"]}
    if diff:
        diff_after = {key: value for key, value in after.items() if key != "use_ntlm"}
        if password_note:
            diff_after["password"] = "(will be sent, not shown)"
        result["diff"] = {"before": before, "after": diff_after}
    return result


def row(check_mode=True, **fields):
    return report.build_row(report.PortalResults("portal", check_mode=check_mode, **fields))


@pytest.mark.parametrize("diff", [True, False], ids=["--diff", "no --diff"])
@pytest.mark.parametrize("check_mode, changed, after, before, status", [
    (True, False, SETTINGS, SETTINGS, "in_sync"),
    (True, False, DEFAULT, DEFAULT, "in_sync"),
    (True, True, SETTINGS, DEFAULT, "default"),
    (False, True, SETTINGS, DEFAULT, "changed"),
    (True, True, DEFAULT, SETTINGS, "would_reset"),
    (False, True, DEFAULT, SETTINGS, "reset"),
    (True, True, SETTINGS, {**SETTINGS, "port": 25}, "drifted"),
    (False, True, SETTINGS, {**SETTINGS, "port": 25}, "changed"),
])
def test_status_of_a_settings_result(check_mode, changed, after, before, status, diff):
    """Each outcome of smtp_settings has its own status, a real run says what it did, and --diff changes none."""
    assert row(check_mode, settings=settings_result(changed, after, before, diff=diff)).status == status


def test_drift_lists_the_fields_before_and_after_and_never_the_password():
    """Only the differing fields, in the module's order; the password is 'not comparable', never a value."""
    result = settings_result(True, SETTINGS, before={**SETTINGS, "port": 25, "sender_display_name": "Old"},
                             password_note=True)
    drifted = row(settings=result)
    assert drifted.changes == [{"field": "port", "before": 25, "after": 587},
                               {"field": "sender_display_name", "before": "Old", "after": "DocSpace"}]
    assert drifted.password == "not comparable"
    assert "will be sent" not in json.dumps(drifted.as_dict())


@pytest.mark.parametrize("check_mode, before, diff, notes", [
    (False, DEFAULT, True, ["was on the installation default"]),
    (False, DEFAULT, False, ["was on the installation default", "run with --diff to see which fields differ"]),
    (True, DEFAULT, False, ["run with --diff to see which fields differ"]),
    (True, SETTINGS, True, ["saved on every run (update_password: always)"]),
    (True, {**SETTINGS, "port": 25}, False, ["run with --diff to see which fields differ"]),
])
def test_a_change_says_why_when_the_fields_do_not(check_mode, before, diff, notes):
    """Without --diff the row says that the fields cannot be named, whatever the status."""
    changed = row(check_mode, settings=settings_result(True, SETTINGS, before, diff=diff))
    assert changed.message == "; ".join(notes)
    assert diff or changed.changes == []


def test_unreachable_failed_and_silence():
    """The module's reachable=false and Ansible's own unreachable are unreachable; any other failure is failed."""
    cases: dict[str, dict[str, Any]] = {
        "refused": dict(failure="GET /api/2.0/smtpsettings/smtp: connection refused", failure_reachable=False),
        "401": dict(failure="GET /api/2.0/smtpsettings/smtp: HTTP 401", failure_reachable=True),
        "fail task": dict(failure="docspace_smtp_host is required", failure_reachable=None)}
    found = {name: row(settings={"failed": True}, failed_task="Read", **fields) for name, fields in cases.items()}
    assert {name: (entry.status, entry.message) for name, entry in found.items()} == {
        "refused": ("unreachable", "Read: GET /api/2.0/smtpsettings/smtp: connection refused"),
        "401": ("failed", "Read: GET /api/2.0/smtpsettings/smtp: HTTP 401"),
        "fail task": ("failed", "Read: docspace_smtp_host is required")}
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
    skipped = row(settings=settings_result(False, SETTINGS), test={"msg": "check mode: no test mail sent"})
    assert skipped.test == "not run"
    started = row(False, settings=settings_result(False, SETTINGS), test={"operation": {"completed": False}})
    assert (started.test, started.test_message) == ("not run", "started, not waited for (wait: false)")


TEST_FAILURE = "Authenticate: 535 5.7.3 Authentication unsuccessful (relay smtp.example.com:587)"


def test_saved_settings_and_a_failed_test_show_both_once():
    """The settings' status stands, the test column fails with the message, the message column does not repeat it."""
    saved = row(False, settings=settings_result(True, SETTINGS, {**SETTINGS, "port": 25}), test={"msg": TEST_FAILURE},
                test_failed=True, failure=TEST_FAILURE, failed_task="Send a test mail", failure_from_test=True,
                failure_reachable=True)
    assert (saved.status, saved.test, saved.test_message) == ("changed", "failed", TEST_FAILURE)
    assert [change["field"] for change in saved.changes] == ["port"]
    assert TEST_FAILURE not in report.details(saved)


def test_a_test_the_portal_did_not_answer_is_unreachable_and_said_once():
    gone = row(False, settings=settings_result(False, SETTINGS), test={"msg": "connection refused"}, test_failed=True,
               failure="connection refused", failed_task="Send a test mail", failure_from_test=True, failure_reachable=False)
    assert (gone.status, gone.message, gone.test, gone.test_message) == (
        "unreachable", "Send a test mail: connection refused", "failed", "")


def fleet():
    return [report.Row("b-portal", "in_sync", password="not comparable"),
            report.Row("a-portal", "drifted", changes=[{"field": "port", "before": 25, "after": 587}]),
            report.Row("c|<script>alert(1)</script>", "failed", message="broken | pipe\nnewline"),
            report.Row("d-portal", "default", test="passed", test_message="100 %, 0.4 s"),
            report.Row("e-portal", "in_sync", test="failed", test_message="Authenticate: 535")]


def test_summary_counts_every_status_and_test():
    """A failed test mail is counted right after the failures, and among the portals that need attention."""
    data = report.summary(fleet(), check_mode=True)
    assert data["portals"] == 5
    assert {key: value for key, value in data["statuses"].items() if value} == {
        "in_sync": 2, "drifted": 1, "failed": 1, "default": 1}
    assert data["tests"] == {"passed": 1, "failed": 1, "not run": 3}
    assert data["attention"] == 2
    assert report.summary_line(data) == ("5 portals, check run (nothing was changed): 1 failed, 1 test mail failed, "
                                         "1 drifted, 1 on the installation default, 2 in sync, 1 test mail passed")


def test_rows_that_need_attention_come_first():
    """Failures first, then a portal whose test mail failed whatever its status, then the worst status."""
    order = [entry.portal for entry in report.sorted_rows(fleet())]
    assert order == ["c|<script>alert(1)</script>", "e-portal", "a-portal", "d-portal", "b-portal"]


def test_json_has_every_row_worst_first():
    data = json.loads(report.render_json(fleet(), {"check_mode": True, "title": "site.yml"}))
    assert data["rows"][0]["portal"] == "c|<script>alert(1)</script>"
    assert data["rows"][2]["changes"] == [{"field": "port", "before": 25, "after": 587}]
    assert data["summary"]["mode"] == "check"


def test_markdown_table_stays_a_table():
    """One line per portal with six cells, whatever the message holds."""
    lines = report.render_markdown(fleet(), {"check_mode": False}).splitlines()
    table = [line for line in lines if line.startswith("| ") and "---" not in line]
    assert len(table) == 6
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 7 for line in table)
    assert '| a-portal | \u25b2 drifted | port: 25 \u2192 587 |' in "\n".join(lines)
    assert "real run" in lines[2]


def test_html_is_self_contained_escaped_and_sortable():
    page = report.render_html(fleet(), {"check_mode": True})
    assert not re.search(r"<link|<img|\bsrc=|@import|url\(", page)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert page.count("<tr><td>") == 5
    assert re.search(r'<td class="s-failed" data-sort="1">\u2716 failed</td>', page)
    assert 'data-column="status" data-type="number"' in page
    assert '<span class="s-failed">\u2716 1 failed</span><span class="t-failed">\u2716 1 test mail failed</span>' in page


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
        assert "<img" not in page and "&lt;img src=" in page
    escaped = "&lt;img src=https://evil.test/x onerror=alert(1)&gt;"
    html_page = report.render_html(rows, {})
    for cell in (f"<td>p{escaped}</td>", f'sender_display_name: &quot;{escaped}&quot;', f"Read: {escaped}",
                 f"<small>535 {escaped}</small>", f'title="{escaped}"', f"off ({escaped})"):
        assert cell in html_page, cell
    md_escaped = "&lt;img src=https\\://evil.test/x onerror=alert\\(1\\)&gt;"
    (line,) = [line for line in report.render_markdown(rows, {}).splitlines() if line.startswith("| p&lt;")]
    cells = line.strip("| ").split(" | ")
    assert [cells[0], cells[2], cells[4], cells[5]] == [
        f"p{md_escaped}", f'sender\\_display\\_name: "{md_escaped}" \u2192 "x"; Read: {md_escaped}',
        f"failed \\(535 {md_escaped}\\)", f"Microsoft 365 turns SMTP AUTH basic authentication off \\({md_escaped}\\)"]


@pytest.mark.parametrize("text, shown", [
    ("<img src=x onerror=alert(1)> & co", "&lt;img src=x onerror=alert\\(1\\)&gt; &amp; co"),
    ("![x](https://evil.test/t.png)", "\\!\\[x\\]\\(https\\://evil.test/t.png\\)"),
    ("[click](javascript:alert(1))", "\\[click\\]\\(javascript\\:alert\\(1\\)\\)"),
    ("`code` *bold* _it_ ~~gone~~ a|b back\\slash", "\\`code\\` \\*bold\\* \\_it\\_ \\~\\~gone\\~\\~ a\\|b back\\\\slash"),
    ("see https://evil.test or WWW.evil.test", "see https\\://evil.test or WWW\\.evil.test"),
    ("$x^2$ :rocket: @octocat #12", "\\$x^2\\$ \\:rocket: \\@octocat \\#12"),
    ("port: 25", "port: 25"),
    ("one\n# two\r\n    three\u2028four", "one \\# two     three four"),
], ids=["html", "image", "link", "emphasis, code, pipe, backslash", "bare addresses", "math, emoji, mention, reference",
        "a colon before a blank", "line breaks"])
def test_markdown_markup_is_shown_not_rendered(text, shown):
    """A portal's text must not make a forge's Markdown preview render HTML, load an image or show a link."""
    assert report._md_text(text) == shown
