# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the smtp_report callback's event handling: which results go to which portal's row."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from ansible import context
from ansible.module_utils.common.collections import ImmutableDict

from ansible_collections.onlyoffice.docspace.plugins.callback import smtp_report

SETTINGS = {"host": "smtp.example.com", "port": 25, "sender_address": "a@example.com", "sender_display_name": "x",
            "enable_ssl": False, "enable_auth": False, "username": None, "use_ntlm": False, "is_default": False}


class Host:
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


class Task:
    def __init__(self, name, action, check_mode=None):
        self.name, self.resolved_action, self.action, self.check_mode = name, action, action.split(".")[-1], check_mode

    def get_name(self):
        return self.name


def result(host, action, data, name="a task"):
    return SimpleNamespace(_host=Host(host), _task=Task(name, action), _result=data)


@pytest.fixture
def callback(monkeypatch, tmp_path):
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict({"check": True}))
    plugin = smtp_report.CallbackModule()
    monkeypatch.setattr(plugin, "get_option", lambda name: str(tmp_path / "out"))
    return plugin


def rows(callback, tmp_path, processed):
    callback.v2_playbook_on_stats(SimpleNamespace(processed={name: {} for name in processed}))
    data = json.loads((tmp_path / "out" / "smtp-report.json").read_text())
    assert (tmp_path / "out" / "smtp-report.md").is_file() and (tmp_path / "out" / "smtp-report.html").is_file()
    return {entry["portal"]: entry for entry in data["rows"]}


def test_every_host_of_the_run_gets_its_row(callback, tmp_path):
    """Results are filed under their host; other modules' results do not count; silent hosts still appear."""
    callback.v2_runner_on_ok(result("p1", "ansible.builtin.debug", {"changed": True}))
    callback.v2_runner_on_ok(result("p1", smtp_report.SETTINGS_ACTION, {"changed": False, "settings": SETTINGS}))
    drift = {"changed": True, "settings": SETTINGS, "diff": {"before": {**SETTINGS, "port": 2525}, "after": SETTINGS}}
    callback.v2_runner_on_ok(result("p2", smtp_report.SETTINGS_ACTION, drift))
    callback.v2_runner_on_skipped(result("p3", smtp_report.TEST_ACTION, {"skipped": True}))
    found = rows(callback, tmp_path, ["p1", "p2", "p3", "p4"])
    assert {name: entry["status"] for name, entry in found.items()} == {
        "p1": "in_sync", "p2": "drifted", "p3": "not_checked", "p4": "not_checked"}
    assert found["p2"]["changes"] == [{"field": "port", "before": 2525, "after": 25}]


def test_failures(callback, tmp_path):
    """A failed task fails its portal, an ignored failure only when it is one of ours; unreachable hosts show."""
    callback.v2_runner_on_failed(result("p1", "ansible.builtin.fail", {"msg": "ignored elsewhere"}), ignore_errors=True)
    callback.v2_runner_on_ok(result("p1", smtp_report.SETTINGS_ACTION, {"changed": False, "settings": SETTINGS}))
    callback.v2_runner_on_failed(result("p2", smtp_report.SETTINGS_ACTION, {"msg": "401: rejected", "reachable": True},
                                        name="Save"), ignore_errors=True)
    callback.v2_runner_on_failed(result("p3", "ansible.builtin.fail", {"msg": "docspace_smtp_host is required"},
                                        name="Check"))
    callback.v2_runner_on_unreachable(result("p4", "ansible.builtin.ping", {"msg": "Failed to connect"}))
    refused = {"msg": "GET: connection refused", "reachable": False}
    callback.v2_runner_on_failed(result("p5", smtp_report.SETTINGS_ACTION, refused, name="Save"))
    callback.v2_runner_on_failed(result("p5", "ansible.builtin.fail", {"msg": "in the role's words"}, name="Rescue"))
    found = rows(callback, tmp_path, ["p1", "p2", "p3", "p4", "p5"])
    assert {name: (entry["status"], entry["message"]) for name, entry in found.items()} == {
        "p1": ("in_sync", ""), "p2": ("failed", "Save: 401: rejected"),
        "p3": ("failed", "Check: docspace_smtp_host is required"), "p4": ("unreachable", "Failed to connect"),
        "p5": ("unreachable", "Save: GET: connection refused")}
    assert (found["p2"]["password"], found["p1"]["password"]) == ("", "not used")


def test_a_failed_test_mail_after_saved_settings(callback, tmp_path, monkeypatch):
    """The settings' status and the test's failure each once, also when a rescue task fails after the test."""
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict({"check": False}))
    saved = {"changed": True, "settings": SETTINGS, "was_default": False}
    callback.v2_runner_on_ok(result("p1", smtp_report.SETTINGS_ACTION, saved))
    callback.v2_runner_on_failed(result("p1", smtp_report.TEST_ACTION, {"msg": "Authenticate: 535", "reachable": True},
                                        name="Test"))
    callback.v2_runner_on_failed(result("p1", "ansible.builtin.fail", {"msg": "Authenticate: 535 (role)"}, name="Rescue"))
    (row,) = rows(callback, tmp_path, ["p1"]).values()
    assert (row["status"], row["message"], row["test"], row["test_message"]) == (
        "changed", "run with --diff to see which fields differ", "failed", "Authenticate: 535")
    assert (tmp_path / "out" / "smtp-report.md").read_text().count("Authenticate: 535") == 1


def test_a_failed_argument_validation_is_the_portal_s_failure(callback, tmp_path):
    """The role's validation task fails with the role's words; the argument spec it carries stays out of the report."""
    spec = {"docspace_smtp_port": {"type": "int", "description": "SPEC-TEXT-NOT-IN-REPORT"}}
    validation = {"msg": "Validation of arguments failed:\nargument 'docspace_smtp_port' is of type str",
                  "argument_errors": ["argument 'docspace_smtp_port' is of type str"], "argument_spec_data": spec}
    callback.v2_runner_on_failed(result("p1", "ansible.builtin.validate_argument_spec", validation,
                                        name="Validating arguments against arg spec 'main'"))
    (row,) = rows(callback, tmp_path, ["p1"]).values()
    assert (row["status"], row["message"]) == (
        "failed", "Validating arguments against arg spec 'main': Validation of arguments failed:\n"
                  "argument 'docspace_smtp_port' is of type str")
    assert not [path.name for path in (tmp_path / "out").iterdir() if "SPEC-TEXT-NOT-IN-REPORT" in path.read_text()]


def test_a_real_run_is_reported_as_such(callback, tmp_path, monkeypatch):
    monkeypatch.setattr(context, "CLIARGS", ImmutableDict({"check": False}))
    change = {"changed": True, "settings": SETTINGS, "diff": {"before": {**SETTINGS, "host": "old"}, "after": SETTINGS}}
    callback.v2_runner_on_ok(result("p1", smtp_report.SETTINGS_ACTION, change))
    assert rows(callback, tmp_path, ["p1"])["p1"]["status"] == "changed"
    assert "real run" in (tmp_path / "out" / "smtp-report.md").read_text()
