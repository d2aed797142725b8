#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Ansible module onlyoffice.docspace.smtp_settings."""

from __future__ import annotations

DOCUMENTATION = r"""
module: smtp_settings
short_description: Manage the outgoing mail (SMTP) settings of an ONLYOFFICE DocSpace portal
version_added: 0.1.0
description:
  - Makes the SMTP settings of a DocSpace portal equal to the task (O(state=present)), or resets them to the
    installation default (O(state=absent)).
  - O(state=present) describes the whole configuration, as the DocSpace API does; an option left out takes its
    default, not the portal's current value.
  - Compared after normalisation are O(host), O(port), O(sender_address), O(sender_display_name)
    (V("") counts as the default name), O(enable_ssl), O(enable_auth), O(username) (only with authentication)
    and whether the portal still shows the installation default, which always differs from O(state=present).
  - DocSpace never returns the stored SMTP password, so the password is never compared; see O(update_password).
  - A task sends one C(GET) when nothing changes, a C(GET) and a C(POST) when it saves and a C(GET) and a
    C(DELETE) when it resets; logging in with O(auth_username) adds one request. In check mode nothing is ever
    written.
author:
  - onlyoffice.docspace contributors (!UNKNOWN)
extends_documentation_fragment:
  - onlyoffice.docspace.connection
  - onlyoffice.docspace.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The password never appears in the diff; a save that sends it shows the note C(password) in C(after).
  idempotent:
    support: full
    details:
      - Not with O(update_password=always) and authentication on, which saves and reports a change on every run.
options:
  state:
    description:
      - V(present) makes the portal's settings equal to the task.
      - V(absent) resets them to the installation default; nothing is done when the portal already shows it.
    type: str
    choices: [present, absent]
    default: present
  host:
    description:
      - Host name or address of the SMTP server, 1 to 255 characters.
      - Only the name or address. A URL (V(smtp://mail.example.com)), a port (V(mail.example.com:587)), a path
        or blanks are refused before any request, with the corrected split into O(host) and O(port).
      - Required when O(state=present).
    type: str
  port:
    description:
      - TCP port of the SMTP server, 1 to 65535.
    type: int
    default: 25
  sender_address:
    description:
      - E-mail address the portal's mails come from. Required when O(state=present).
      - DocSpace does not check it, and its test mail fails later on a malformed one, so the module checks
        that it looks like an e-mail address before sending anything.
      - A plain address only; V(DocSpace <docspace@example.com>) is refused with the advice to put the name in
        O(sender_display_name).
    type: str
  sender_display_name:
    description:
      - Display name of the sender, at most 255 characters.
      - V("") means DocSpace's default name, which is how DocSpace itself treats it.
    type: str
    default: ONLYOFFICE Postman
  enable_ssl:
    description:
      - Use TLS, with DocSpace's meaning. V(true) is implicit TLS on port 465 and STARTTLS, when the server
        offers it, on any other port; V(false) is plain SMTP without STARTTLS.
      - Port 465 with V(false) draws a warning, because DocSpace then speaks plain text to a port that expects
        TLS from the first byte, and its test stalls at C(Connect to host).
    type: bool
    default: false
  enable_auth:
    description:
      - Log in to the SMTP server with O(username) and O(password).
      - Defaults to V(true) when O(username) is given and to V(false) otherwise.
      - With V(false), a given O(username) or O(password) is ignored (with a warning), as DocSpace discards them.
    type: bool
  username:
    description:
      - SMTP login. Required when O(enable_auth) is V(true).
    type: str
    aliases: [credentials_user_name]
  password:
    description:
      - SMTP password. DocSpace needs it with every save of a configuration with authentication, because it
        never returns the stored one.
      - When a save is needed, authentication is on and no password is given, the task fails before writing
        anything; in check mode it reports the change with a warning instead.
    type: str
    aliases: [credentials_user_password]
  update_password:
    description:
      - V(on_change) saves the settings, password included, only when another compared field differs.
      - V(always) saves a configuration with authentication on every run, so that a changed password reaches
        the portal, and reports it as changed.
    type: str
    choices: [on_change, always]
    default: on_change
  use_ntlm:
    description:
      - Sent to DocSpace as given. DocSpace does not store it, so it is not compared and V(true) draws a warning.
    type: bool
    default: false
notes:
  - Save the settings and then run M(onlyoffice.docspace.smtp_test) to prove that they work; the role
    C(onlyoffice.docspace.smtp) does both.
seealso:
  - module: onlyoffice.docspace.smtp_settings_info
  - module: onlyoffice.docspace.smtp_test
"""

EXAMPLES = r"""
- name: Send mail through a plain relay on port 25
  onlyoffice.docspace.smtp_settings:
    base_url: https://docspace.example.com
    api_key: "{{ docspace_api_key }}"
    host: relay.example.com
    sender_address: noreply@example.com
  delegate_to: localhost

- name: Send mail through an authenticated relay on port 587 with STARTTLS
  onlyoffice.docspace.smtp_settings:
    base_url: https://docspace.example.com
    api_key: "{{ docspace_api_key }}"
    host: smtp.example.com
    port: 587
    enable_ssl: true
    sender_address: noreply@example.com
    sender_display_name: Example DocSpace
    username: noreply@example.com
    password: "{{ smtp_password }}"
  delegate_to: localhost

- name: Send mail through a server with implicit TLS on port 465, logging in as a portal admin
  onlyoffice.docspace.smtp_settings:
    base_url: https://docspace.example.com
    auth_username: admin@example.com
    auth_password: "{{ docspace_admin_password }}"
    host: smtp.example.com
    port: 465
    enable_ssl: true
    sender_address: noreply@example.com
    username: noreply@example.com
    password: "{{ smtp_password }}"
  delegate_to: localhost

- name: Reset the SMTP settings to the installation default
  onlyoffice.docspace.smtp_settings:
    base_url: https://docspace.example.com
    api_key: "{{ docspace_api_key }}"
    state: absent
  delegate_to: localhost

# An audit: run the playbook with --check --diff. Nothing is written; each portal whose settings drift
# reports "changed" and shows the differing fields. Without the password the run still reports the drift
# and warns that a real run would need the password.
- name: Audit the SMTP settings of every portal (ansible-playbook smtp.yml --check --diff)
  onlyoffice.docspace.smtp_settings:
    base_url: "{{ docspace_base_url }}"
    api_key: "{{ docspace_api_key }}"
    host: smtp.example.com
    port: 587
    enable_ssl: true
    sender_address: noreply@example.com
    username: noreply@example.com
  delegate_to: localhost
  check_mode: true
  diff: true

- name: Share the connection between tasks through the action group
  module_defaults:
    group/onlyoffice.docspace.docspace:
      base_url: https://docspace.example.com
      api_key: "{{ docspace_api_key }}"
  block:
    - name: Configure the relay
      onlyoffice.docspace.smtp_settings:
        host: relay.example.com
        sender_address: noreply@example.com
      delegate_to: localhost

    - name: Prove that it works
      onlyoffice.docspace.smtp_test:
      delegate_to: localhost
"""

RETURN = r"""
advisories:
  description:
    - What is known to threaten the stored relay, from the collection's table of provider changes, for example
      Microsoft 365 turning SMTP AUTH basic authentication off by default at the end of December 2026 for a
      portal that logs in to C(smtp.office365.com). Empty when nothing applies, also for a relay the table
      does not know.
    - For the settings after the task; in check mode, the predicted ones.
    - The module also shows each one as a warning. The wording follows the date of the run.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The advisory's identifier.
      type: str
      sample: microsoft-365-basic-auth
    summary:
      description: What changes at the provider, and what it means for this portal.
      type: str
      sample: >-
        Microsoft turns SMTP AUTH basic authentication (a user name and password) off by default for existing
        Exchange Online tenants at the end of December 2026; ...
    advice:
      description: What works with DocSpace instead (DocSpace logs in to a relay with a user name and password only).
      type: str
      sample: >-
        DocSpace cannot log in with OAuth2, so move this portal to a relay that takes a user name and password
        or none: Azure Communication Services SMTP ...
    effective:
      description: The date the change takes effect, as an ISO date.
      type: str
      sample: "2026-12-31"
    source:
      description: Where the provider published the change.
      type: str
      sample: "Microsoft Exchange Team blog, ... https://techcommunity.microsoft.com/..."
ansible_facts:
  description:
    - Set after a real save or reset (not in check mode), for the inventory host of the portal.
  returned: when the settings were saved or reset
  type: dict
  contains:
    docspace_smtp_untested:
      description:
        - V(true) after a save, until a test mail through the saved settings went out
          (M(onlyoffice.docspace.smtp_test) sets it to V(false)); V(false) after a reset.
        - With a fact cache (C(fact_caching)) it outlives the run, so the role C(onlyoffice.docspace.smtp)
          saves and tests again on the next run after a failed test.
      type: bool
      sample: true
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
was_default:
  description:
    - Whether the portal was on the installation default before the task (RV(settings.is_default) is the state
      after it). Known without C(--diff), so an audit can tell a portal nobody configured from one that drifted.
  returned: success
  type: bool
  sample: false
settings:
  description:
    - The portal's SMTP settings after the task, as DocSpace reported them; in check mode the predicted state.
    - After a save, the answer to the save, normalised; in check mode, what that answer would be.
    - After a reset, the installation default DocSpace reports; in check mode only RV(settings.is_default) is
      known and is V(true), the other keys are V(null).
    - Never contains a password.
  returned: always
  type: dict
  contains:
    host:
      description: SMTP server. V(null) when the portal shows an empty default.
      type: str
      sample: smtp.example.com
    port:
      description: SMTP port; V(0) on a cloud portal's empty default.
      type: int
      sample: 587
    sender_address:
      description: Sender e-mail address.
      type: str
      sample: noreply@example.com
    sender_display_name:
      description: Sender display name; DocSpace's default name when it was saved as V("").
      type: str
      sample: ONLYOFFICE Postman
    enable_ssl:
      description: Whether TLS is used.
      type: bool
      sample: true
    enable_auth:
      description: Whether DocSpace logs in to the SMTP server.
      type: bool
      sample: true
    username:
      description: SMTP login; V(null) without authentication.
      type: str
      sample: noreply@example.com
    use_ntlm:
      description: What DocSpace reports for NTLM; V(false) after every save, as DocSpace does not store it.
      type: bool
      sample: false
    is_default:
      description: Whether the portal shows the installation default rather than its own settings.
      type: bool
      sample: false
"""

from typing import Any

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _advisories
from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_settings as model
from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import DocSpaceClient, wait_details
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceError, failure_details
from ansible_collections.onlyoffice.docspace.plugins.module_utils._module import DocSpaceModule, connection_argument_spec


def argument_spec() -> dict[str, Any]:
    """The connection options, the SMTP settings (from the model's table of fields) and the task's own."""
    spec = connection_argument_spec()
    spec.update(model.option_spec())
    spec.update(
        state={"type": "str", "choices": ["present", "absent"], "default": "present"},
        update_password={"type": "str", "choices": ["on_change", "always"], "default": "on_change",
                         "no_log": False},
    )
    return spec


def carry_out(client: DocSpaceClient, plan: model.Plan, check_mode: bool) -> dict[str, Any]:
    """Send the plan's one write (never in check mode) and return the settings after it."""
    if check_mode or plan.action == "none":
        return plan.after
    # DocSpace answers a save or reset with what is now in force: that answer is the new state, no re-read.
    if plan.action == "save":
        answer = client.post(model.SETTINGS_PATH, plan.body or {}).response
    else:
        answer = client.delete(model.SETTINGS_PATH).response
    return plan.after if answer is None else model.normalize_dto(answer)


def run_task(module: DocSpaceModule) -> dict[str, Any]:
    """Read the portal's settings, compare them with the task and write only what differs."""
    # The SMTP password travels in the POST body: a server echoing the body must not show it (no_log in the
    # model's FIELDS, so the client masks it).
    client = module.client()
    current = model.normalize_dto(client.get(model.SETTINGS_PATH).response)
    plan = model.plan(module.params, current, check_mode=module.check_mode)
    for warning in plan.warnings:
        module.warn(warning)
    if plan.failure:
        module.fail_json(msg=plan.failure, settings=current)
    after = carry_out(client, plan, module.check_mode)
    for warning in plan.after_save:
        module.warn(warning)
    result: dict[str, Any] = {"changed": plan.changed, "settings": after, "was_default": bool(current.get("is_default")),
                              "advisories": _advisories.advise(module, after), **wait_details(client)}
    if plan.action != "none" and not module.check_mode:
        result["ansible_facts"] = {model.UNTESTED_FACT: plan.action == "save"}
    if module._diff:  # pylint: disable=protected-access  # AnsibleModule's documented --diff flag
        result["diff"] = model.build_diff(current, after, plan.sends_password)
    return result


def main() -> None:
    """Validate the options, then run the task with one boundary for DocSpace's errors."""
    module = DocSpaceModule(argument_spec=argument_spec(), supports_check_mode=True,
                            required_if=[("state", "present", ("host", "sender_address"))])
    # Every option check runs before the first request, login included.
    problems = model.validate(module.params)
    if problems:
        module.fail_json(msg=f"Invalid SMTP settings: {'; '.join(problems)}.")
    for warning in model.option_warnings(module.params):
        module.warn(warning)
    try:
        module.exit_json(**run_task(module))
    except DocSpaceError as error:
        module.fail_json(msg=str(error), **failure_details(error))


if __name__ == "__main__":
    main()
