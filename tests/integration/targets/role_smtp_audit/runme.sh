#!/usr/bin/env bash
# A multi-portal check-mode audit with the onlyoffice.docspace.smtp role: three emulated portals are
# configured, one is then changed by hand, and `ansible-playbook --check --diff` must report exactly that
# portal with the drift in its diff, while no portal receives a write and none sends a mail (even with
# docspace_smtp_test=always). Checked on each portal's request log, mailbox and stored settings.
set -eu -o pipefail
# shellcheck source=../setup_emulator/runme_env.sh
source ../setup_emulator/runme_env.sh  # ANSIBLE_ACTION_PLUGINS, CONFIG

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
INVENTORY="$WORK/inventory.yml"
DRIFT_HOST=portal6

fail() { echo "FAILED: $*" >&2; exit 1; }

# The inventory an auditor would have: one host per portal with its address and key, the relay as group vars.
python - "$CONFIG" "$INVENTORY" <<'PY'
import json, sys
config_path, inventory_path = sys.argv[1:]
with open(config_path) as handle:
    emulator = json.load(handle)["docspace_emulator"]
smtp = emulator["smtp"]
hosts = {
    f"portal{index}": {
        "docspace_base_url": emulator["portals"][index]["base_url"],
        "docspace_api_key": emulator["portals"][index]["admin"]["api_key"],
    }
    for index in (5, 6, 7)
}
relay = {
    "relay_host": smtp["host"],
    "relay_port": smtp["listeners"]["plain"],
    "relay_username": smtp["accounts"][0]["username"],
    "relay_password": smtp["accounts"][0]["password"],
}
with open(inventory_path, "w") as handle:
    json.dump({"docspace_portals": {"hosts": hosts, "vars": relay}}, handle, indent=1)  # JSON is YAML
PY

# playbook STEP PLAYBOOK [args...]: run it (it must succeed), keep its output in $WORK/STEP.log.
playbook() {
    local step="$1"
    shift
    printf '\n##### %s\n' "$step"
    if ! ansible-playbook -i "$INVENTORY" -e "drift_host=$DRIFT_HOST" "$@" > "$WORK/$step.log" 2>&1; then
        cat "$WORK/$step.log"
        fail "$step: ansible-playbook failed"
    fi
    cat "$WORK/$step.log"
}

expect() {
    grep -Eq -- "$2" "$WORK/$1.log" || fail "$1: output does not match /$2/ ${3:-}"
}

recap() {
    expect "$1" "^$2 +: ok=[0-9]+ +changed=$3 +unreachable=0 +failed=0 " "(play recap of $2)"
}

playbook reset control.yml -e control_action=reset
playbook configure site.yml
for host in portal5 portal6 portal7; do recap configure "$host" 1; done

playbook drift control.yml -e control_action=drift
playbook clear control.yml -e control_action=clear

# The audit itself; docspace_smtp_test=always would send a mail on every portal outside check mode.
playbook audit site.yml --check --diff -e docspace_smtp_test=always
recap audit portal5 0
recap audit "$DRIFT_HOST" 1
recap audit portal7 0
expect audit '^-.*"Hand-edited name"' "(the diff shows the drifted value)"
expect audit '^\+.*"DocSpace notifications"' "(the diff shows the wanted value)"
if grep -E '^changed: ' "$WORK/audit.log" | grep -qv "\[$DRIFT_HOST"; then
    fail "audit: a portal other than $DRIFT_HOST reported a change"
fi

playbook untouched check_untouched.yml

if grep -rlF -- "$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["docspace_emulator"]["smtp"]["accounts"][0]["password"])' "$CONFIG")" \
    "$WORK"/audit.log "$WORK"/configure.log; then
    fail "the relay password appears in the output"
fi

printf '\nrole_smtp_audit: only %s drifted, nothing was written, no mail was sent\n' "$DRIFT_HOST"
