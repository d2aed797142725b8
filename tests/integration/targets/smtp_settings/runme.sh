#!/usr/bin/env bash
# Integration test of onlyoffice.docspace.smtp_settings: main.yml tells the story against emulated portal 0
# (started by noxfile.py, sessions integration-*) and asserts every step on the emulator's request log. The whole run goes
# through ansible-playbook -vvv into a log, which must not contain any secret: the API keys and passwords
# of the emulator's info file (integration_config.yml) and the SMTP passwords main.yml uses.
set -eu -o pipefail
# shellcheck source=../setup_emulator/runme_env.sh
source ../setup_emulator/runme_env.sh  # ANSIBLE_ACTION_PLUGINS, CONFIG

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python}"

rc=0
ansible-playbook -i "${INVENTORY_PATH:-localhost,}" -e "@$CONFIG" -vvv main.yml "$@" 2>&1 | tee "$LOG" || rc=$?

# Every secret of the info file, then the literal passwords of main.yml.
mapfile -t secrets < <("$PYTHON" - "$CONFIG" main.yml <<'PY'
import json, re, sys

with open(sys.argv[1]) as config_file:
    config = json.load(config_file)
for emulator in (config.get("docspace_emulator"), config.get("docspace_emulator_https")):
    if not emulator:
        continue
    for portal in emulator["portals"]:
        # Portals of DocSpace versions before 3.1 have no API keys (null in the info file).
        keys = [portal[who]["api_key"] for who in ("admin", "user")] + [portal["readonly_api_key"]]
        for secret in [portal["admin"]["password"], portal["user"]["password"], *keys]:
            if secret:
                print(secret)
    for account in emulator["smtp"]["accounts"]:
        print(account["password"])
with open(sys.argv[2]) as playbook:
    for match in re.finditer(r"^\s+(?:other_password|wrong_api_key): (\S+)$", playbook.read(), re.MULTILINE):
        print(match.group(1))
PY
)
[ "${#secrets[@]}" -ge 8 ] || { echo "FAILED: could not collect the secrets to look for" >&2; exit 1; }

leaks=0
for secret in "${secrets[@]}"; do
    if grep -qF -- "$secret" "$LOG"; then
        echo "FAILED: a secret (${secret:0:6}...) appears in the -vvv output" >&2
        leaks=$((leaks + 1))
    fi
done
echo "checked ${#secrets[@]} secrets against $(wc -l < "$LOG") lines of -vvv output: $leaks found"
[ "$leaks" = 0 ] || exit 1
exit "$rc"
