# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Small helpers around a running portal emulator, for demo/run_demo.py and `make emulator` (noxfile.py).

Usage: python demo/emulator_tool.py COMMAND INFO_FILE [ARGS]
  inventory INFO OUT        write an Ansible inventory of the emulated portals (one host per portal)
  describe INFO INVENTORY   print how to point a playbook at the inventory
  clear INFO                forget every portal's request log and mailbox
  mailbox INFO              print the From/To/Subject of every mail the portals sent
  drift INFO PORTAL         change one portal's stored SMTP settings behind Ansible's back
  requests INFO             count, per portal, the API reads, writes and test mails requested
"""

from __future__ import annotations

import json
import sys
import urllib.request
from typing import Any

import yaml

# The relay account and listener the demo inventory uses: STARTTLS with a login, as most real relays want.
RELAY_LISTENER = "starttls"
DRIFTED_NAME = "Hand-edited name"


def load_info(path: str) -> dict[str, Any]:
    """The emulator's info file."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def call(url: str, method: str = "GET", body: Any = None) -> Any:
    """One request to the emulator's control API; its JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:  # nosec: loopback emulator only
        return json.load(reply)


def relay_vars(info: dict[str, Any]) -> dict[str, Any]:
    """The SMTP relay the demo configures, as inventory variables."""
    smtp = info["smtp"]
    account = smtp["accounts"][0]
    return {
        "relay_host": smtp["host"],
        "relay_port": smtp["listeners"][RELAY_LISTENER],
        "relay_username": account["username"],
        "relay_password": account["password"],
    }


def connection_vars(portal: dict[str, Any]) -> dict[str, Any]:
    """The role's connection variables for one portal: its admin's API key, or the login before DocSpace 3.1."""
    if portal["admin"].get("api_key"):
        return {"docspace_base_url": portal["base_url"], "docspace_api_key": portal["admin"]["api_key"]}
    return {"docspace_base_url": portal["base_url"], "docspace_auth_username": portal["admin"]["email"],
            "docspace_auth_password": portal["admin"]["password"]}


def write_inventory(info: dict[str, Any], out: str) -> None:
    """One inventory host per portal, with the role's connection variables; the relay as group variables."""
    hosts = {
        portal["name"]: connection_vars(portal)
        for portal in info["portals"]
    }
    inventory = {"docspace_portals": {"hosts": hosts, "vars": relay_vars(info)}}
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("# Written by demo/emulator_tool.py from the running emulator's info file.\n")
        yaml.safe_dump(inventory, handle, sort_keys=False)


def describe(info: dict[str, Any], inventory: str) -> None:
    """How to point a playbook at the running emulator (the emulator's own summary has the details)."""
    names = ", ".join(portal["name"] for portal in info["portals"])
    print(f"Ansible inventory of {names} (one host per portal; the STARTTLS relay and its login as group vars):")
    print(f"  {inventory}")
    print("Try the demo playbook against it, from the checkout:")
    print(f"  ansible-playbook -i {inventory} demo/site.yml --check --diff")


def clear(info: dict[str, Any]) -> None:
    """Forget request logs and mailboxes, so the next counts cover one step only."""
    for portal in info["portals"]:
        call(f"{portal['base_url']}/_emulator/requests", "DELETE")
        call(f"{portal['base_url']}/_emulator/mailbox", "DELETE")


def mailbox(info: dict[str, Any]) -> None:
    """Print the mails each portal sent."""
    for portal in info["portals"]:
        for message in call(f"{portal['base_url']}/_emulator/mailbox")["messages"]:
            tls = "TLS" if message.get("tls") else "plain"
            login = f", login {message['auth_user']}" if message.get("auth_user") else ""
            print(f"  {portal['name']}: From: {message['from']}")
            print(f"  {' ' * len(portal['name'])}  To: {message['to']}  Subject: {message['subject']}  ({tls}{login})")


def drift(info: dict[str, Any], name: str) -> None:
    """Change the sender name and port of one portal, as an admin editing the web UI would."""
    portal = next(p for p in info["portals"] if p["name"] == name)
    stored = call(f"{portal['base_url']}/_emulator/settings")["stored"]
    relay = relay_vars(info)
    changed = dict(stored, senderDisplayName=DRIFTED_NAME, port=info["smtp"]["listeners"]["plain"],
                   credentialsUserPassword=relay["relay_password"])
    changed.pop("password_set", None)
    call(f"{portal['base_url']}/_emulator/settings", "PUT", changed)
    print(f"  {name}: sender name {stored['senderDisplayName']!r} -> {DRIFTED_NAME!r}, "
          f"port {stored['port']} -> {changed['port']}")


def requests_summary(info: dict[str, Any]) -> None:
    """Count what each portal was asked since the last clear."""
    for portal in info["portals"]:
        records = call(f"{portal['base_url']}/_emulator/requests")["requests"]
        reads = sum(1 for r in records if r["method"] == "GET" and not r["path"].endswith(("/test", "/test/status")))
        tests = sum(1 for r in records if r["path"].endswith("/smtp/test"))
        writes = sum(1 for r in records if r["method"] != "GET")
        mails = len(call(f"{portal['base_url']}/_emulator/mailbox")["messages"])
        counts = (count(reads, "settings read"), count(writes, "write"), count(tests, "test started", "tests started"),
                  count(mails, "mail sent", "mails sent"))
        print(f"  {portal['name']}: {', '.join(counts)}")


def count(number: int, singular: str, plural: str | None = None) -> str:
    """'1 write', '2 writes', 'no write': counts as a person writes them."""
    if number == 0:
        return f"no {singular}"
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def main(argv: list[str]) -> int:
    """Dispatch one command."""
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    command, info = argv[0], load_info(argv[1])
    args = argv[2:]
    if command == "inventory":
        write_inventory(info, args[0])
    elif command == "describe":
        describe(info, args[0])
    elif command == "clear":
        clear(info)
    elif command == "mailbox":
        mailbox(info)
    elif command == "drift":
        drift(info, args[0])
    elif command == "requests":
        requests_summary(info)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
