#!/usr/bin/env bash
# Bring a fleet under management, then audit it with a report:
#  1. four emulated portals are configured by hand in different ways (authenticated with STARTTLS, plain
#     with an empty display name and a login connection, implicit TLS on 465, installation default);
#  2. the bundled playbook onlyoffice.docspace.smtp_export writes their host_vars, and refuses to
#     overwrite them on a second run unless told to;
#  3. a --check --diff run of the role over the same inventory reports changed=0 on every portal, and the
#     smtp_report callback writes a report that says so;
#  4. after a hand-made drift and with a portal that does not answer, the report shows the drifted field
#     before -> after and the failure. No report or exported file contains a secret.
set -eu -o pipefail
# shellcheck source=../setup_emulator/runme_env.sh
source ../setup_emulator/runme_env.sh  # ANSIBLE_ACTION_PLUGINS, CONFIG

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
INVENTORY="$WORK/inventory.yml"
REPORT="$WORK/report"

fail() { echo "FAILED: $*" >&2; exit 1; }

# The inventory: one host per portal with its connection and, for the seed step only, its hand-made settings.
python - "$CONFIG" "$INVENTORY" "$WORK/secrets.txt" <<'PY'
import json, sys
config_path, inventory_path, secrets_path = sys.argv[1:]
with open(config_path) as handle:
    emulator = json.load(handle)["docspace_emulator"]
smtp = emulator["smtp"]
account = smtp["accounts"][0]
portals = emulator["portals"]
relay = {"host": smtp["host"], "senderAddress": "noreply@docspace.test"}
authenticated = {"enableAuth": True, "credentialsUserName": account["username"],
                 "credentialsUserPassword": account["password"]}
seeds = {
    4: {**relay, "port": smtp["listeners"]["plain"], "senderDisplayName": "Portal four", "enableSSL": True,
        **authenticated},
    5: {**relay, "port": smtp["listeners"]["plain"], "senderDisplayName": "", "enableSSL": False, "enableAuth": False},
    6: {**relay, "port": 465, "senderDisplayName": "Portal six", "enableSSL": True, **authenticated},
    7: None,  # stays on the installation default
}
hosts = {}
for index, seed in seeds.items():
    portal = portals[index]
    host = {"docspace_base_url": portal["base_url"]}
    if index == 5:
        host.update(docspace_auth_username=portal["admin"]["email"], docspace_auth_password=portal["admin"]["password"])
    else:
        host["docspace_api_key"] = portal["admin"]["api_key"]
    if seed:
        host["seed"] = seed
    hosts[f"portal{index}"] = host
hosts["portal6"]["drift"] = {**seeds[6], "senderDisplayName": "Hand-edited name"}
with open(inventory_path, "w") as handle:
    json.dump({"docspace_portals": {"hosts": hosts}}, handle, indent=1)  # JSON is YAML
with open(secrets_path, "w") as handle:
    secrets = [account["password"]] + [portals[i]["admin"][key] for i in seeds for key in ("api_key", "password")]
    handle.write("\n".join(secrets) + "\n")
PY

# playbook STEP EXPECTED_RC PLAYBOOK [args...]: run it, keep its output in $WORK/STEP.log.
playbook() {
    local step="$1" expected="$2" rc=0
    shift 2
    printf '\n##### %s\n' "$step"
    ansible-playbook -i "$INVENTORY" "$@" > "$WORK/$step.log" 2>&1 || rc=$?
    cat "$WORK/$step.log"
    [ "$rc" = "$expected" ] || fail "$step: ansible-playbook exited with $rc, expected $expected"
}
expect() { grep -Eq -- "$2" "$3" || fail "$1: $3 does not match /$2/"; }
recap() { expect "$1" "^$2 +: ok=[0-9]+ +changed=$3 +unreachable=0 +failed=$4 " "$WORK/$1.log"; }

playbook seed 0 seed.yml -e control_action=seed

# --- the export ------------------------------------------------------------------------------------
playbook export 0 onlyoffice.docspace.smtp_export
VARS="$WORK/host_vars"
for host in portal4 portal5 portal6 portal7; do [ -s "$VARS/$host/docspace_smtp.yml" ] || fail "no host_vars for $host"; done
expect export-absent '^docspace_smtp_state: absent$' "$VARS/portal7/docspace_smtp.yml"
expect export-present '^docspace_smtp_state: present$' "$VARS/portal4/docspace_smtp.yml"
expect export-vault '^docspace_smtp_password_from: vault_docspace_smtp_password_portal4$' "$VARS/portal4/docspace_smtp.yml"
expect export-vault-comment 'ansible-vault encrypt_string --name vault_docspace_smtp_password_portal6' "$VARS/portal6/docspace_smtp.yml"
if grep -q docspace_smtp_password "$VARS/portal5/docspace_smtp.yml"; then fail "portal5 has no authentication, yet got a password"; fi
expect export-ssl '^docspace_smtp_port: 465$' "$VARS/portal6/docspace_smtp.yml"
for host in portal4 portal7; do printf "\n--- host_vars/%s/docspace_smtp.yml\n" "$host"; cat "$VARS/$host/docspace_smtp.yml"; done

# A second export refuses to overwrite; with docspace_export_force it replaces the files.
# A host that is not a portal (no docspace_base_url) fails with the variable's name and gets no file.
echo "# edited by hand" >> "$VARS/portal5/docspace_smtp.yml"
python - "$INVENTORY" <<'PY'
import json, sys
inventory = json.load(open(sys.argv[1]))
inventory["others"] = {"hosts": {"not_a_portal": {}}}
json.dump(inventory, open(sys.argv[1], "w"), indent=1)
PY
playbook export-again 2 onlyoffice.docspace.smtp_export
recap export-again portal5 0 1
expect export-again 'portal5/docspace_smtp.yml already exists.*docspace_export_force=true' "$WORK/export-again.log"
expect export-again 'docspace_base_url is not set for not_a_portal' "$WORK/export-again.log"
[ ! -e "$VARS/not_a_portal" ] || fail "a file was written for a host that is not a portal"
expect export-again-kept '^# edited by hand$' "$VARS/portal5/docspace_smtp.yml"
playbook export-force 0 onlyoffice.docspace.smtp_export -e docspace_export_force=true -e docspace_export_hosts=docspace_portals
if grep -q '^# edited by hand$' "$VARS/portal5/docspace_smtp.yml"; then fail "docspace_export_force did not replace the file"; fi

# Before the vault variables exist, a check run already passes and changes nothing: it needs no password.
playbook check-before-vault 0 site.yml --check
for host in portal4 portal5 portal6 portal7; do recap check-before-vault "$host" 0 0; done

# The user fills the vault variables the placeholders point at (the password is never compared).
mkdir -p "$WORK/group_vars/all"
printf 'vault_docspace_smtp_password_portal4: filled-in-by-the-user\nvault_docspace_smtp_password_portal6: filled-in-by-the-user\n' \
    > "$WORK/group_vars/all/vault.yml"

# --- the round trip, reported ------------------------------------------------------------------------
export ANSIBLE_CALLBACKS_ENABLED=onlyoffice.docspace.smtp_report DOCSPACE_REPORT_DIR="$REPORT"
playbook audit 0 site.yml --check --diff
for host in portal4 portal5 portal6 portal7; do recap audit "$host" 0 0; done
python - "$REPORT/smtp-report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
statuses = {row["portal"]: row["status"] for row in report["rows"]}
assert statuses == {"portal4": "in_sync", "portal5": "in_sync", "portal6": "in_sync", "portal7": "in_sync"}, statuses
assert report["summary"]["mode"] == "check", report["summary"]
assert [row["message"] for row in report["rows"] if row["portal"] == "portal7"] == ["on the installation default, as wanted"]
PY

# --- drift and a dead portal (nothing listens on port 9: unreachable, not failed) --------------------
playbook drift 0 seed.yml -e control_action=drift
python - "$INVENTORY" <<'PY'
import json, sys
inventory = json.load(open(sys.argv[1]))
inventory["docspace_portals"]["hosts"]["portal_down"] = {
    "docspace_base_url": "http://127.0.0.1:9", "docspace_api_key": "sk-unused-key-000",
    "docspace_smtp_host": "relay.invalid", "docspace_smtp_sender_address": "noreply@docspace.test"}
json.dump(inventory, open(sys.argv[1], "w"), indent=1)
PY
playbook audit-drift 2 site.yml --check --diff
python - "$REPORT/smtp-report.json" <<'PY'
import json, sys
rows = {row["portal"]: row for row in json.load(open(sys.argv[1]))["rows"]}
statuses = {name: row["status"] for name, row in rows.items()}
assert statuses == {"portal4": "in_sync", "portal5": "in_sync", "portal6": "drifted", "portal7": "in_sync",
                    "portal_down": "unreachable"}, statuses
assert "127.0.0.1:9" in rows["portal_down"]["message"], rows["portal_down"]
assert rows["portal6"]["changes"] == [{"field": "sender_display_name", "before": "Hand-edited name",
                                       "after": "Portal six"}], rows["portal6"]
assert rows["portal6"]["password"] == "not comparable", rows["portal6"]
PY
# Markdown's own markup in a cell is escaped (sender\_display\_name), so that a preview shows it as text.
expect report-md '^\| portal6 \| .* drifted \| .*sender\\_display\\_name: "Hand-edited name" → "Portal six"' "$REPORT/smtp-report.md"
expect report-html '<td class="s-unreachable" data-sort="0">' "$REPORT/smtp-report.html"

# --- a real run of a user's own playbook with the modules ------------------------------------------------
playbook own 0 own.yml --diff -l portal5
python - "$REPORT/smtp-report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["summary"]["mode"] == "apply", report["summary"]
[row] = report["rows"]
assert (row["portal"], row["status"], row["test"]) == ("portal5", "changed", "passed"), row
assert [(change["field"], change["after"]) for change in row["changes"]] == [
    ("sender_display_name", "Renamed by my playbook")], row
PY
expect report-md '^1 portal, real run: 1 changed, 1 test mail passed\.$' "$REPORT/smtp-report.md"

# No secret in anything written to disk.
while read -r secret; do
    if grep -rlF -- "$secret" "$VARS" "$REPORT"; then fail "a secret appears in the files above"; fi
done < "$WORK/secrets.txt"

printf '\nsmtp_export_report: export round trip changed nothing; the report shows drift and failure\n'
