# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""The fleet audit report: what one portal's task results mean (a row), and the row list as JSON,
Markdown and a self-contained HTML page. Pure code, no Ansible objects: the smtp_report callback
collects the results and calls these functions.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.onlyoffice.docspace.plugins.module_utils._advisories import ADVISORIES_BY_ID
from ansible_collections.onlyoffice.docspace.plugins.module_utils._smtp_settings import COMPARED_FIELDS

# Fields of smtp_settings' diff, in the order the module shows them; is_default is reported as a status.
FIELDS = tuple(name for name in COMPARED_FIELDS if name != "is_default")
NOT_COMPARABLE = "not comparable"

# status -> (label, symbol, rank). The symbol keeps the status readable in black-and-white print;
# the rank sorts the worst first.
STATUSES: dict[str, tuple[str, str, int]] = {
    "unreachable": ("unreachable", "\u2716", 0),
    "failed": ("failed", "\u2716", 1),
    "drifted": ("drifted", "\u25b2", 2),
    "would_reset": ("would be reset", "\u25b2", 3),
    "default": ("on the installation default", "\u25cb", 4),
    "changed": ("changed", "\u25cf", 5),
    "reset": ("reset", "\u25cf", 6),
    "not_checked": ("not checked", "?", 7),
    "in_sync": ("in sync", "\u2714", 8),
}


@dataclass
class PortalResults:
    """What the callback saw for one portal: the last smtp_settings and smtp_test results and the first failure."""

    portal: str
    check_mode: bool = False
    settings: dict[str, Any] | None = None
    test: dict[str, Any] | None = None
    test_failed: bool = False
    # The first failure: its message, its task, whether it was the test mail's, and the module's `reachable`
    # (False: the portal did not answer; None: the failure carried no such key, not a request's failure).
    failure: str | None = None
    failed_task: str | None = None
    failure_from_test: bool = False
    failure_reachable: bool | None = None
    # Ansible's message when it could not reach the host itself.
    unreachable: str | None = None
    # The advisories the last smtp_settings or smtp_settings_info result returned for the stored relay.
    advisories: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Row:
    """One portal's line in the report."""

    portal: str
    status: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    password: str = ""
    message: str = ""
    test: str = "not run"
    test_message: str = ""
    advisories: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data."""
        return {"portal": self.portal, "status": self.status, "status_label": STATUSES[self.status][0],
                "changes": self.changes, "password": self.password, "message": self.message,
                "test": self.test, "test_message": self.test_message, "advisories": self.advisories}


def advisory_text(advisory: dict[str, Any]) -> str:
    """An advisory in a report cell: its label in the collection's table, and the date it takes effect."""
    known = ADVISORIES_BY_ID.get(str(advisory.get("id")))
    label = known.label if known else str(advisory.get("id"))
    return f"{label} ({advisory.get('effective', '?')})"


def _changes(diff: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The compared fields that differ between the diff's before and after (never a password value)."""
    if not isinstance(diff, dict):
        return []
    before, after = diff.get("before") or {}, diff.get("after") or {}
    return [{"field": name, "before": before.get(name), "after": after.get(name)}
            for name in FIELDS if before.get(name) != after.get(name)]


def _settings_status(result: dict[str, Any], check_mode: bool) -> tuple[str, list[dict[str, Any]], str]:
    """Status, changed fields and a note for an smtp_settings result that did not fail.

    The status comes from `changed`, `settings` and `was_default`, which the module returns with or without
    --diff; only the fields depend on the diff.
    """
    after = result.get("settings") or {}
    if not result.get("changed"):
        return "in_sync", [], ("on the installation default, as wanted" if after.get("is_default") else "")
    if after.get("is_default"):
        return ("would_reset" if check_mode else "reset"), [], ""
    changes = _changes(result.get("diff"))
    notes = []
    if result.get("was_default"):
        # A portal nobody configured yet: its own status, so that an audit counts them apart from drift.
        status = "default" if check_mode else "changed"
        notes += [] if check_mode else ["was on the installation default"]
    else:
        status = "drifted" if check_mode else "changed"
    if "diff" not in result:
        notes.append("run with --diff to see which fields differ")
    elif not changes and not result.get("was_default"):
        notes.append("saved on every run (update_password: always)")  # a change without a differing field
    return status, changes, "; ".join(notes)


def _password(result: dict[str, Any] | None) -> str:
    """The password column: never a value; DocSpace does not return the stored one."""
    if not result or result.get("failed"):
        return ""
    before = ((result.get("diff") or {}).get("before") or {}).get("enable_auth")
    after = (result.get("settings") or {}).get("enable_auth")
    return NOT_COMPARABLE if before or after else "not used"


def _test(results: PortalResults) -> tuple[str, str]:
    """The test column: passed, failed (with the module's message) or not run."""
    if results.test is None:
        return "not run", ""
    if results.test_failed:
        return "failed", str(results.test.get("msg", ""))
    operation = results.test.get("operation") or {}
    if not operation:  # check mode sends no test mail
        return "not run", str(results.test.get("msg", ""))
    if not operation.get("completed"):
        return "not run", "started, not waited for (wait: false)"
    return "passed", f"{operation.get('percents', 100)} %, {results.test.get('elapsed', '?')} s"


def _failure(results: PortalResults) -> tuple[str, str] | None:
    """Status and message of the first failure; None when it is only the test mail's (the test column tells it)."""
    if results.failure is None:
        return None
    if results.failure_from_test and results.failure_reachable is not False:
        return None  # the portal answered and the mail failed: the settings' status stands
    message = f"{results.failed_task}: {results.failure}" if results.failed_task else results.failure
    return ("unreachable" if results.failure_reachable is False else "failed"), message


def build_row(results: PortalResults) -> Row:
    """The report row for one portal."""
    test, test_message = _test(results)
    row = Row(results.portal, "not_checked", password=_password(results.settings), test=test, test_message=test_message,
              advisories=[{key: advisory.get(key) for key in ("id", "summary", "effective")}
                          for advisory in results.advisories if isinstance(advisory, dict)])
    if results.unreachable is not None:
        row.status, row.message = "unreachable", results.unreachable
        return row
    if results.settings is not None and not results.settings.get("failed"):
        row.status, row.changes, row.message = _settings_status(results.settings, results.check_mode)
    elif results.settings is None and results.failure is None:
        row.message = "no smtp_settings task ran for this portal"
    failure = _failure(results)
    if failure is not None:
        row.status, row.message = failure
        if results.failure_from_test:
            row.test_message = ""  # the message column says it; each fact once
    return row


def needs_attention(row: Row) -> bool:
    """A portal an auditor must look at: it failed, did not answer, or its test mail failed."""
    return row.status in ("unreachable", "failed") or row.test == "failed"


def summary(rows: list[Row], check_mode: bool) -> dict[str, Any]:
    """Counts per status and per test outcome."""
    counts = {status: 0 for status in STATUSES}
    tests = {"passed": 0, "failed": 0, "not run": 0}
    advisories: dict[str, int] = {}
    for row in rows:
        counts[row.status] += 1
        tests[row.test] += 1
        for advisory in {str(entry.get("id")) for entry in row.advisories}:
            advisories[advisory] = advisories.get(advisory, 0) + 1
    return {"portals": len(rows), "mode": "check" if check_mode else "apply", "statuses": counts, "tests": tests,
            "attention": sum(1 for row in rows if needs_attention(row)), "advisories": advisories}


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def summary_line(data: dict[str, Any]) -> str:
    """One sentence with the counts, the worst first; statuses with no portal left out.

    A failed test mail comes right after the portals that failed: the settings may be saved, the mail is not.
    """
    ranked = sorted(data["statuses"].items(), key=lambda item: STATUSES[item[0]][2])
    parts = [f"{count} {STATUSES[status][0]}" for status, count in ranked if count and status in ("unreachable", "failed")]
    tests = data["tests"]
    if tests["failed"]:
        parts.append(_count(tests["failed"], "test mail") + " failed")
    parts += [f"{count} {STATUSES[status][0]}" for status, count in ranked if count and status not in ("unreachable", "failed")]
    if tests["passed"]:
        parts.append(_count(tests["passed"], "test mail") + " passed")
    for advisory, count in sorted(data.get("advisories", {}).items()):
        known = ADVISORIES_BY_ID.get(advisory)
        phrase = known.fleet_phrase if known else f"have advisory {advisory}"
        parts.append(f"{_count(count, 'portal')} {phrase}")
    mode = "check run (nothing was changed)" if data["mode"] == "check" else "real run"
    return f"{_count(data['portals'], 'portal')}, {mode}: " + ", ".join(parts or ["nothing to report"])


def _value(value: Any) -> str:
    """A setting as the report shows it: JSON-like, so that "" and null stay apart."""
    return json.dumps(value, ensure_ascii=False)


def change_text(change: dict[str, Any]) -> str:
    """`field: before -> after`."""
    return f"{change['field']}: {_value(change['before'])} \u2192 {_value(change['after'])}"


def details(row: Row) -> str:
    """The changes and the message of a row as one line of text."""
    return "; ".join([change_text(change) for change in row.changes] + ([row.message] if row.message else []))


def sorted_rows(rows: list[Row]) -> list[Row]:
    """What needs attention first (a failed test mail too), then worst status first, then by portal name."""
    return sorted(rows, key=lambda row: (not needs_attention(row), STATUSES[row.status][2], row.portal))


def render_json(rows: list[Row], meta: dict[str, Any]) -> str:
    """smtp-report.json: the summary and one object per portal."""
    data = {**meta, "summary": summary(rows, meta.get("check_mode", False)),
            "rows": [row.as_dict() for row in sorted_rows(rows)]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# Markdown's own markup: a portal's display name `![x](https://...)` would make a forge's preview load an
# image, `[x](javascript:...)` would be a link, `$...$` a formula (GitHub), `@name` a mention; each is shown
# as the character instead. Raw HTML is neutralised before, by entities (`<` as `&lt;`, `&` as `&amp;`).
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]()!|~$@#])")
# GitHub and GitLab link bare addresses (`https://...`, `www.`) and `:shortcode:` emoji: an escaped `:` or
# `.` keeps them text. A colon before a blank (`port: 25`) cannot start either and stays as it is. An e-mail
# address stays a mailto link (GFM finds them in the text after parsing, past any escape); its target is its text.
_MD_AUTOLINK = re.compile(r"(:)(?=\S)|(www)(\.)", re.IGNORECASE)


def _md_text(value: Any) -> str:
    """Text of the Markdown file as plain text on one line: HTML as entities, markup escaped."""
    text = _MD_PUNCTUATION.sub(r"\\\1", html.escape(str(value), quote=False))
    text = _MD_AUTOLINK.sub(lambda match: f"\\{match[1]}" if match[1] else f"{match[2]}\\{match[3]}", text)
    # A line break would end a table row, or start a heading, a list or a code block in the title.
    return " ".join(text.splitlines())


def _md_cell(text: str) -> str:
    """Table cell text as plain text; an empty cell keeps its blank."""
    return _md_text(text) or " "


def render_markdown(rows: list[Row], meta: dict[str, Any]) -> str:
    """smtp-report.md: a title, the summary line and one table row per portal."""
    data = summary(rows, meta.get("check_mode", False))
    lines = [f"# SMTP report: {_md_text(meta.get('title', 'DocSpace portals'))}", "",
             f"{_md_text(summary_line(data))}.", "", f"Generated {_md_text(meta.get('generated', ''))}.", "",
             *[f"**Coverage:** {_md_text(problem)}." for problem in meta.get("coverage", [])],
             *([""] if meta.get("coverage") else []),
             "| portal | status | changes (before \u2192 after) | password | test mail | advisories |",
             "|---|---|---|---|---|---|"]
    for row in sorted_rows(rows):
        label, symbol, _rank = STATUSES[row.status]
        test = f"{row.test} ({row.test_message})" if row.test_message else row.test
        lines.append("| " + " | ".join(_md_cell(cell) for cell in (
            row.portal, f"{symbol} {label}", details(row), row.password, test,
            "; ".join(advisory_text(advisory) for advisory in row.advisories))) + " |")
    return "\n".join(lines) + "\n"


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1a1a1a}
h1{font-size:1.4em;margin:0 0 .3em}
.summary span{display:inline-block;margin:.2em .4em .2em 0;padding:.15em .6em;border-radius:1em;border:1px solid #999}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
td:nth-child(1),td:nth-child(2){white-space:nowrap}
th{background:#eee;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25b2"}th[aria-sort=descending]::after{content:" \\25bc"}
tbody tr:nth-child(even){background:#fafafa}
.s-in_sync,.t-passed{background:#d8f3dc!important}.s-default{background:#e8eef7!important}
.s-drifted,.s-would_reset,.s-changed,.s-reset{background:#fff1c2!important}
.s-failed,.s-unreachable,.t-failed{background:#ffd6d6!important;font-weight:bold}
.s-not_checked{background:#eee!important}
td.changes{font-family:ui-monospace,monospace;font-size:.9em}
@media print{*{-webkit-print-color-adjust:exact;print-color-adjust:exact}th{cursor:auto}}
"""

# Sorting: click a header (again to reverse), or open the page with #sort=<column> (#sort=-<column>
# descending). Each cell's data-sort holds the value to compare; numbers compare as numbers.
_JS = """
(function(){
var table=document.getElementById('report'),heads=table.tHead.rows[0].cells,body=table.tBodies[0];
function key(row,i){var v=row.cells[i].getAttribute('data-sort');return v===null?row.cells[i].textContent:v;}
function sortBy(i,desc){
 var started=Date.now(),rows=Array.prototype.slice.call(body.rows),num=heads[i].getAttribute('data-type')==='number';
 rows.sort(function(a,b){var x=key(a,i),y=key(b,i),c=num?x-y:x.localeCompare(y);
  if(c===0){c=key(a,0).localeCompare(key(b,0));}return desc?-c:c;});
 var frag=document.createDocumentFragment();rows.forEach(function(r){frag.appendChild(r);});body.appendChild(frag);
 for(var j=0;j<heads.length;j++){heads[j].removeAttribute('aria-sort');}
 heads[i].setAttribute('aria-sort',desc?'descending':'ascending');
 table.setAttribute('data-sort-ms',String(Date.now()-started));
}
for(var i=0;i<heads.length;i++){(function(i){heads[i].addEventListener('click',function(){
 sortBy(i,heads[i].getAttribute('aria-sort')==='ascending');});})(i);}
var m=/sort=(-?)([a-z_]+)/.exec(location.hash);
if(m){for(var k=0;k<heads.length;k++){if(heads[k].getAttribute('data-column')===m[2]){sortBy(k,m[1]==='-');}}}
})();
"""

_COLUMNS = (("portal", "portal", "text"), ("status", "status", "number"), ("changes", "changes (before \u2192 after)", "text"),
            ("password", "password", "text"), ("test", "test mail", "text"), ("advisories", "advisories", "text"))


def _html_row(row: Row) -> str:
    """One <tr>; every text is escaped."""
    esc = html.escape
    label, symbol, rank = STATUSES[row.status]
    changes = "<br>".join(esc(change_text(change)) for change in row.changes)
    if row.message:
        changes += ("<br>" if changes else "") + esc(row.message)
    test = esc(row.test) + (f"<br><small>{esc(row.test_message)}</small>" if row.test_message else "")
    advisories = "<br>".join(f'<span title="{esc(str(advisory.get("summary", "")))}">{esc(advisory_text(advisory))}</span>'
                             for advisory in row.advisories)
    return (f'<tr><td>{esc(row.portal)}</td>'
            f'<td class="s-{row.status}" data-sort="{rank}">{symbol} {esc(label)}</td>'
            f'<td class="changes" data-sort="{esc(details(row))}">{changes}</td>'
            f'<td>{esc(row.password)}</td><td class="t-{row.test.replace(" ", "_")}" data-sort="{esc(row.test)}">{test}</td>'
            f'<td class="advisories">{advisories}</td></tr>')


def render_html(rows: list[Row], meta: dict[str, Any]) -> str:
    """smtp-report.html: one file with its own style and sort script, no external asset."""
    esc = html.escape
    data = summary(rows, meta.get("check_mode", False))
    badges = [f'<span class="s-{status}">{STATUSES[status][1]} {count} {esc(STATUSES[status][0])}</span>'
              for status, count in sorted(data["statuses"].items(), key=lambda item: STATUSES[item[0]][2]) if count]
    if data["tests"]["failed"]:  # beside the failures, as in the summary line
        badges.insert(sum(1 for status in ("unreachable", "failed") if data["statuses"][status]),
                      f'<span class="t-failed">\u2716 {data["tests"]["failed"]} test mail failed</span>')
    heads = "".join(f'<th data-column="{name}" data-type="{kind}" title="sort by {esc(title)}">{esc(title)}</th>'
                    for name, title, kind in _COLUMNS)
    title = esc(f"SMTP report: {meta.get('title', 'DocSpace portals')}")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{_CSS}</style></head><body>",
        f"<h1>{title}</h1>", f'<p id="summary-line">{esc(summary_line(data))}.</p>',
        f'<p class="summary">{"".join(badges)}</p>',
        *[f'<p class="coverage"><strong>Coverage:</strong> {esc(problem)}.</p>' for problem in meta.get("coverage", [])],
        f"<p><small>Generated {esc(str(meta.get('generated', '')))}. "
        "Click a column heading to sort.</small></p>",
        f'<table id="report"><thead><tr>{heads}</tr></thead><tbody>',
        *(_html_row(row) for row in sorted_rows(rows)),
        "</tbody></table>", f"<script>{_JS}</script>", "</body></html>", ""])


# --- report parts: one per run of a sliced audit (AWX job slicing), merged into one report -------------------

PART_FORMAT = "onlyoffice.docspace.smtp_report part 1"


def row_from_dict(data: dict[str, Any]) -> Row:
    """A row read back from a report part (Row.as_dict() written out)."""
    return Row(str(data["portal"]), str(data["status"]), changes=list(data.get("changes") or []),
               password=str(data.get("password", "")), message=str(data.get("message", "")),
               test=str(data.get("test", "not run")), test_message=str(data.get("test_message", "")),
               advisories=list(data.get("advisories") or []))


def render_part(rows: list[Row], meta: dict[str, Any], audit: str, run: str) -> str:
    """A report part: the rows of one run of an audit, named by the audit and the run."""
    data = {"format": PART_FORMAT, "audit": audit, "run": run, **meta, "rows": [row.as_dict() for row in rows]}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


@dataclass
class Merged:
    """The parts of one audit as one report: its rows and metadata, and what its coverage check found."""

    rows: list[Row]
    meta: dict[str, Any]
    duplicates: dict[str, list[str]]  # portal -> the runs that reported it
    missing: list[str]  # portals of the inventory no part reported
    unexpected: list[str]  # portals a part reported that the inventory does not have

    @property
    def problems(self) -> list[str]:
        """The coverage check's findings, one sentence each; empty when every portal is there exactly once."""
        found = [f"{portal} is in {len(runs)} parts ({', '.join(runs)})" for portal, runs in sorted(self.duplicates.items())]
        if self.missing:
            found.append(f"{_count(len(self.missing), 'portal')} of the inventory in no part: {', '.join(self.missing)}")
        if self.unexpected:
            found.append(f"{_count(len(self.unexpected), 'portal')} not in the inventory: {', '.join(self.unexpected)}")
        return found


class PartError(ValueError):
    """Parts that cannot be merged: not parts, of different audits, or of one run twice."""


def merge_parts(parts: list[dict[str, Any]], expected: list[str]) -> Merged:
    """The parts of one audit as one report, checked against the inventory's portals (`expected`)."""
    if not parts:
        raise PartError("there is no report part to merge")
    not_parts = [str(part.get("run", "?")) for part in parts if part.get("format") != PART_FORMAT]
    if not_parts:
        raise PartError(f"not report parts of this collection: {', '.join(not_parts)}")
    audits = sorted({str(part.get("audit")) for part in parts})
    if len(audits) > 1:
        raise PartError(f"the parts belong to different audits ({', '.join(audits)}): merge the parts of one audit "
                        "at a time, each in a directory of its own")
    runs = [str(part.get("run")) for part in parts]
    twice = sorted({run for run in runs if runs.count(run) > 1})
    if twice:
        raise PartError(f"run {', '.join(twice)} wrote more than one part")
    by_portal: dict[str, list[tuple[str, Row]]] = {}
    for part in sorted(parts, key=lambda part: str(part["run"])):
        for data in part.get("rows") or []:
            row = row_from_dict(data)
            by_portal.setdefault(row.portal, []).append((str(part["run"]), row))
    rows = [found[0][1] for found in by_portal.values()]
    modes = {bool(part.get("check_mode")) for part in parts}
    meta = {"title": str(parts[0].get("title", "DocSpace portals")), "check_mode": True in modes,
            "generated": max(str(part.get("generated", "")) for part in parts), "audit": audits[0], "runs": sorted(runs)}
    inventory = set(expected)
    return Merged(rows, meta,
                  duplicates={portal: [run for run, _row in found] for portal, found in by_portal.items() if len(found) > 1},
                  missing=sorted(inventory - set(by_portal)), unexpected=sorted(set(by_portal) - inventory))
