#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Ansible module onlyoffice.docspace.smtp_test."""

from __future__ import annotations

DOCUMENTATION = r"""
module: smtp_test
short_description: Send DocSpace's SMTP test mail and wait for the outcome
version_added: 0.1.0
description:
  - Starts the SMTP test of an ONLYOFFICE DocSpace portal (C(GET /api/2.0/smtpsettings/smtp/test)) and reads
    its status (C(GET /api/2.0/smtpsettings/smtp/test/status)) until the test job completes.
  - DocSpace sends a real test mail, with the portal's B(stored) SMTP settings, to the e-mail address of the
    calling user (for an API key, the user who created it), from the stored sender address and name.
    Use M(onlyoffice.docspace.smtp_settings) first to store the settings to test.
  - The task fails when the test fails (the message names the step, such as V(Connect to host) or
    V(Authenticate), DocSpace's error text, the relay it used with its TLS mode and login, and advice for
    answers that SMTP servers commonly give), when the job was cancelled on the server, when the job vanishes,
    when O(wait_timeout) passes, or when DocSpace refuses the test with HTTP 429 (the message carries the
    C(Retry-After) seconds).
  - The test request is never repeated automatically, since each one sends a mail and counts against
    DocSpace's limit on tests. Status reads are repeated on passing network failures like any other read.
author:
  - onlyoffice.docspace contributors (!UNKNOWN)
extends_documentation_fragment:
  - onlyoffice.docspace.connection
  - onlyoffice.docspace.attributes
attributes:
  check_mode:
    support: partial
    details:
      - In check mode the module sends no request at all, so it neither sends a mail nor checks that the
        portal is reachable; it returns RV(operation=null) and says so in C(msg).
  diff_mode:
    support: none
  idempotent:
    support: none
    details:
      - Every run sends a test mail. It changes no portal setting, so it always reports C(changed=false).
options:
  wait:
    description:
      - Wait until the test job completes, and fail the task when the test fails.
      - With V(false) the task returns the job as the test request first reported it, without reading the
        status. A job that had already completed by then (a refused connection is instant) has been consumed
        by that answer, so its outcome is reported as with V(true).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for the test job to complete, counted from the test request. The task gives
        up within O(wait_timeout) plus one status read.
      - On an installation with many portals DocSpace runs one SMTP test at a time, so a test may wait in the
        queue behind other portals' tests; the failure message says so when the job had not started yet.
      - O(timeout) is the per-request HTTP timeout, as in every module of the collection.
    type: int
    default: 120
  poll_interval:
    description:
      - The longest pause in seconds between two status reads. The status is read every 0.2 seconds for the
        first 2 seconds (most tests finish by then), then the pauses grow by half each time until they reach
        O(poll_interval). A O(poll_interval) below 0.2 is used from the first read.
    type: float
    default: 1.0
notes:
  - DocSpace runs one test job per portal. When a test started by anyone (another admin in the web UI, another
    task) is still running, DocSpace returns that job instead of starting a new one, and the module waits for
    it; its mail goes to whoever started it.
  - The first status read that shows the job completed also deletes it on DocSpace, so the module keeps that
    read as the result. If another client reads it first, or DocSpace drops a job whose state has not changed
    for 60 seconds, the job vanishes and the task fails saying so.
  - A passing test proves the relay, TLS and login that the portal stores. Invitations and password resets are
    sent by DocSpace's separate notify service, which must be running too.
  - A failed test is not an HTTP error for DocSpace; the job stops at the failing step with C(error) set.
seealso:
  - module: onlyoffice.docspace.smtp_settings
  - module: onlyoffice.docspace.smtp_settings_info
"""

EXAMPLES = r"""
- name: Send a test mail with the stored settings and wait for it
  onlyoffice.docspace.smtp_test:
    base_url: https://docspace.example.com
    api_key: "{{ docspace_api_key }}"
  delegate_to: localhost

- name: Give a slow relay five minutes, reading the status at most every 5 seconds
  onlyoffice.docspace.smtp_test:
    base_url: https://docspace.example.com
    auth_username: admin@example.com
    auth_password: "{{ docspace_admin_password }}"
    wait_timeout: 300
    poll_interval: 5
  delegate_to: localhost

- name: Start the test without waiting
  onlyoffice.docspace.smtp_test:
    base_url: https://docspace.example.com
    api_key: "{{ docspace_api_key }}"
    wait: false
  register: smtp_test_job
  delegate_to: localhost
"""

RETURN = r"""
operation:
  description:
    - The test job as last read; with O(wait=true) and success, its completed state.
    - This may be a job that someone else started, when it was still running at the time of the test request.
    - V(null) in check mode. Also returned when the task fails because of the test, with the state it failed in.
  returned: always
  type: dict
  contains:
    id:
      description: The job's identifier (a GUID).
      type: str
      sample: 6f1c2c1e-3d4b-4f0e-9a55-2b7f5f0f3c11
    completed:
      description: Whether the job has finished, successfully or not.
      type: bool
      sample: true
    percents:
      description: Progress from 0 to 100; a failed job stays at the percents of its failing step.
      type: int
      sample: 100
    status:
      description:
        - The job's last step, for example V(Connect to host), V(Authenticate) or V(Send test message);
          empty before the first step.
      type: str
      sample: Send test message
    error:
      description: DocSpace's error text when the test failed, otherwise empty.
      type: str
      sample: ""
elapsed:
  description: Seconds from the test request to the last status read (V(0) in check mode).
  returned: always
  type: float
  sample: 0.734
ready_after:
  description:
    - Seconds the task waited, before its first request, for the portal to finish starting
      (V(0) when it answered at once).
  returned: success, when O(ready_timeout) is more than 0
  type: float
  sample: 12.5
reachable:
  description:
    - Whether the portal answered. V(false) when the connection was refused or timed out, the name did not
      resolve or the TLS handshake failed; V(true) when it answered with an error.
  returned: when the task failed on a request to the portal
  type: bool
  sample: false
ansible_facts:
  description: Set when the test mail went out, for the inventory host of the portal.
  returned: when the test passed
  type: dict
  contains:
    docspace_smtp_untested:
      description: V(false), the stored settings passed a test (see M(onlyoffice.docspace.smtp_settings)).
      type: bool
      sample: false
retry_after:
  description: The C(Retry-After) header of DocSpace's HTTP 429 answer, in seconds.
  returned: when the task failed on an HTTP 429 answer (the test request's rate limit) that carried the header
  type: str
  sample: "600"
"""

import time
from typing import Any

from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import DocSpaceClient, wait_details
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceError, failure_details
from ansible_collections.onlyoffice.docspace.plugins.module_utils._urls import normalize_base_url
from ansible_collections.onlyoffice.docspace.plugins.module_utils._module import DocSpaceModule, connection_argument_spec
from ansible_collections.onlyoffice.docspace.plugins.module_utils._names import name
from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_settings as settings_model
from ansible_collections.onlyoffice.docspace.plugins.module_utils._smtp_test import (
    STATUS_PATH,
    TRIGGER_PATH,
    SmtpTestError,
    SmtpTestFailed,
    explain_failure,
    finished,
    operation_from,
    wait_for_job,
)


def argument_spec() -> dict[str, dict[str, Any]]:
    """The connection options plus the wait options."""
    spec = connection_argument_spec()
    spec.update(
        wait={"type": "bool", "default": True},
        wait_timeout={"type": "int", "default": 120},
        poll_interval={"type": "float", "default": 1.0},
    )
    return spec


def option_problem(params: dict[str, Any]) -> str | None:
    """Explain what is wrong with the wait options, or return None."""
    if params["wait_timeout"] < 0:
        return f"{name('wait_timeout')} must be 0 or more seconds, not {params['wait_timeout']}"
    if params["poll_interval"] <= 0:
        return f"{name('poll_interval')} must be more than 0 seconds, not {params['poll_interval']:g}"
    return None


def start_test(client: DocSpaceClient) -> dict[str, Any]:
    """Ask DocSpace for the test; returns the job it reports (a running one is reused by DocSpace)."""
    # Never retried: a repeat could send a second mail and spends the rate limit (5 tests per 15 minutes).
    reply = client.get(TRIGGER_PATH, retry=False)
    operation = operation_from(reply.response)
    if operation is None:
        raise SmtpTestError(f"DocSpace answered GET {TRIGGER_PATH} without a test job (count {reply.count})")
    return operation


def read_status(client: DocSpaceClient) -> Any:
    """One status read: the job's state, or None when DocSpace has no job."""
    # The client repeats this read after a connection failure, which is right when no answer was read.
    # The risk: an answer that DocSpace sent but that was lost on the way may have been the completion,
    # which DocSpace deleted as it answered; the repeat then finds no job and the wait fails as "vanished".
    return client.get(STATUS_PATH).response


def stored_relay(client: DocSpaceClient) -> dict[str, Any] | None:
    """The settings the failed test used, to name the relay in the message; None when they cannot be read."""
    try:
        return settings_model.normalize_dto(client.get(settings_model.SETTINGS_PATH).response)
    except DocSpaceError:
        return None  # the test's own failure is the news; a second failure must not hide it


def error_message(error: DocSpaceError, client: DocSpaceClient | None) -> str:
    """The failure message: the relay and advice for a failed test, the wait advice for a rate limit."""
    if isinstance(error, SmtpTestFailed) and client is not None:
        return explain_failure(error, stored_relay(client))
    if error.status == 429 and error.path == TRIGGER_PATH:
        # The client's message already says when to run again.
        return f"{error}. DocSpace limits SMTP tests per user, and the test request is never repeated automatically."
    return str(error)


def run_test(client: DocSpaceClient, params: dict[str, Any], started: float) -> dict[str, Any]:
    """Start the test and, unless told not to, wait for its outcome; returns the job's last state."""
    operation = start_test(client)
    if operation["completed"]:
        # That answer consumed the finished job: it is the result, and no status read may follow.
        return finished(operation)
    if params["wait"]:
        return wait_for_job(operation, lambda: read_status(client), params["wait_timeout"],
                            params["poll_interval"], started)
    return operation


def main() -> None:
    """Run the module."""
    module = DocSpaceModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    problem = option_problem(params)
    if problem:
        module.fail_json(msg=problem)
    started = time.monotonic()
    result: dict[str, Any] = {"changed": False, "operation": None, "elapsed": 0.0}
    client = None
    try:
        if module.check_mode:
            normalize_base_url(params["base_url"])  # a wrong base_url still fails, without a request
            module.exit_json(msg="check mode: no test mail sent", **result)
        client = module.client()
        result["operation"] = run_test(client, params, started)
    except DocSpaceError as error:
        failure = {**failure_details(error), "operation": error.operation,
                   "elapsed": round(time.monotonic() - started, 3)}
        if error.retry_after is not None:
            failure["retry_after"] = error.retry_after
        module.fail_json(msg=error_message(error, client), **failure)
    result["elapsed"] = round(time.monotonic() - started, 3)
    if client is not None:
        result.update(wait_details(client))
    if result["operation"]["completed"]:
        # The mail went out through the stored settings: nothing is left to prove (see smtp_settings).
        result["ansible_facts"] = {settings_model.UNTESTED_FACT: False}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
