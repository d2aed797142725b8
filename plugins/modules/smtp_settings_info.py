#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Ansible module onlyoffice.docspace.smtp_settings_info."""

from __future__ import annotations

DOCUMENTATION = r"""
module: smtp_settings_info
short_description: Read the outgoing mail (SMTP) settings of an ONLYOFFICE DocSpace portal
version_added: 0.1.0
description:
  - Returns the portal's current SMTP settings in the same shape as M(onlyoffice.docspace.smtp_settings)
    returns them. Sends one C(GET) (and a login first with O(auth_username)); never changes anything.
  - DocSpace never returns the SMTP password, so neither does this module.
author:
  - onlyoffice.docspace contributors (!UNKNOWN)
extends_documentation_fragment:
  - onlyoffice.docspace.connection
  - onlyoffice.docspace.attributes
attributes:
  check_mode:
    support: full
    details:
      - The module only reads, so it behaves the same in check mode.
  diff_mode:
    support: N/A
    details:
      - The module changes nothing.
  idempotent:
    support: full
options: {}
seealso:
  - module: onlyoffice.docspace.smtp_settings
"""

EXAMPLES = r"""
- name: Read the portal's SMTP settings
  onlyoffice.docspace.smtp_settings_info:
    base_url: https://docspace.example.com
    api_key: "{{ docspace_api_key }}"
  delegate_to: localhost
  register: smtp

- name: Show where the portal sends its mail
  ansible.builtin.debug:
    msg: "{{ smtp.settings.host }}:{{ smtp.settings.port }} (installation default: {{ smtp.settings.is_default }})"

- name: Read the settings with the connection from the action group, logging in as an admin
  module_defaults:
    group/onlyoffice.docspace.docspace:
      base_url: https://docspace.example.com
      auth_username: admin@example.com
      auth_password: "{{ docspace_admin_password }}"
  onlyoffice.docspace.smtp_settings_info:
  delegate_to: localhost
  register: smtp

# An audit that works with --check too: the module only reads.
- name: Fail when a portal still sends through the installation default
  ansible.builtin.assert:
    that: not smtp.settings.is_default
    fail_msg: "{{ inventory_hostname }} has no SMTP settings of its own"
"""

RETURN = r"""
advisories:
  description:
    - What is known to threaten the stored relay, from the collection's table of provider changes, for example
      Microsoft 365 turning SMTP AUTH basic authentication off by default at the end of December 2026 for a
      portal that logs in to C(smtp.office365.com). Empty when nothing applies, also for a relay the table
      does not know.
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
settings:
  description:
    - The portal's SMTP settings, normalised as M(onlyoffice.docspace.smtp_settings) returns them.
    - Never contains a password.
  returned: success
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
      description: Whether TLS is used (implicit on port 465, STARTTLS when offered elsewhere).
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
      description: What DocSpace reports for NTLM.
      type: bool
      sample: false
    is_default:
      description: Whether the portal shows the installation default rather than its own settings.
      type: bool
      sample: false
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
"""

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _advisories
from ansible_collections.onlyoffice.docspace.plugins.module_utils import _smtp_settings as model
from ansible_collections.onlyoffice.docspace.plugins.module_utils._client import wait_details
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceError, failure_details
from ansible_collections.onlyoffice.docspace.plugins.module_utils._module import DocSpaceModule, connection_argument_spec


def main() -> None:
    """Read the settings once and return them normalised."""
    module = DocSpaceModule(argument_spec=connection_argument_spec(), supports_check_mode=True)
    try:
        client = module.client()
        settings = model.normalize_dto(client.get(model.SETTINGS_PATH).response)
        module.exit_json(changed=False, settings=settings, advisories=_advisories.advise(module, settings),
                         **wait_details(client))
    except DocSpaceError as error:
        module.fail_json(msg=str(error), **failure_details(error))


if __name__ == "__main__":
    main()
