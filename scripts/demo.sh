#!/usr/bin/env bash
# `make demo`: the role onlyoffice.docspace.smtp against the bundled portal emulator, from a fresh clone.
# It builds the collection artifact and installs it into a throw-away collections path, starts three
# emulated portals and a real SMTP server, configures the portals with demo/site.yml (test mail included),
# re-runs it (nothing changes, no mail), edits one portal by hand and shows the `--check --diff` audit
# catching it, then puts it right. Everything it starts is stopped at the end; nothing is left behind.
# Environment: ANSIBLE_CORE, PYTHON (see scripts/lib.sh), KEEP_BUILD=1 keeps the temporary tree.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

if [ -t 1 ]; then BOLD=$'\033[1m' DIM=$'\033[2m' RESET=$'\033[0m'; else BOLD='' DIM='' RESET=''; fi
heading() { printf '\n%s━━ %s%s\n' "$BOLD" "$*" "$RESET"; }
say() { printf '%s\n' "$*"; }
# EMULATOR_INFO_demo is set by start_emulator (scripts/lib.sh).
# shellcheck disable=SC2154
tool() { python "$ROOT/demo/emulator_tool.py" "$1" "$EMULATOR_INFO_demo" "${@:2}"; }
run_playbook() {
    printf '%s$ ansible-playbook -i inventory.yml demo/site.yml%s%s\n' "$DIM" "${*:+ $*}" "$RESET"
    ansible-playbook -i "$INVENTORY" "$ROOT/demo/site.yml" "$@"
}

main() {
    local started=$SECONDS drifted
    trap cleanup_run EXIT

    heading "Setting up: virtualenv, collection artifact, portal emulator"
    ensure_venv
    layout_collection
    export ANSIBLE_COLLECTIONS_PATH="$BUILD_DIR/collections" ANSIBLE_CONFIG="$ROOT/demo/ansible.cfg"
    ansible-galaxy collection build "$COLLECTION_DIR" --output-path "$BUILD_DIR/dist" > "$BUILD_DIR/build.log"
    ansible-galaxy collection install --offline -p "$BUILD_DIR/collections" "$BUILD_DIR"/dist/onlyoffice-docspace-*.tar.gz \
        > "$BUILD_DIR/install.log"
    say "built $(basename "$BUILD_DIR"/dist/onlyoffice-docspace-*.tar.gz) and installed it into a temporary collections path"

    start_emulator demo --portals 3
    INVENTORY="$BUILD_DIR/inventory.yml"
    tool inventory "$INVENTORY"
    say "three emulated DocSpace portals and an SMTP relay (STARTTLS, login required) are running:"
    python - "$EMULATOR_INFO_demo" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
for portal in info["portals"]:
    print(f"  {portal['name']}  {portal['base_url']}")
PY
    drifted="$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["portals"][1]["name"])' "$EMULATOR_INFO_demo")"

    heading "1. Configure outgoing mail on every portal; each one sends a test mail"
    say "The role saves each portal's SMTP settings, then has the portal send a test mail through them:"
    run_playbook
    say "The SMTP relay received:"
    tool mailbox

    heading "2. Run it again: nothing to change, so no test mail"
    say "The role reads each portal's settings once, finds them equal and skips the test mail"
    say "(that is the 'skipped=1' in the recap: the test runs only when the settings changed)."
    tool clear
    run_playbook
    say "What the portals saw during the re-run:"
    tool requests

    heading "3. Someone edits $drifted's mail settings by hand"
    say "An admin changes the sender name and the port in the web UI; the emulator's control API plays that part:"
    tool drift "$drifted"

    heading "4. Audit every portal with --check --diff: only $drifted drifted"
    say "Check mode reads every portal and shows the differences as a diff; it writes nothing and sends no mail."
    tool clear
    run_playbook --check --diff
    say "What the portals saw during the audit (reads only, no mail):"
    tool requests

    heading "5. Put it right: a normal run repairs $drifted and proves it with a test mail"
    say "A normal run on $drifted alone saves the settings again (password included) and sends a test mail:"
    tool clear
    run_playbook --limit "$drifted"
    say "The SMTP relay received:"
    tool mailbox

    heading "Done in $((SECONDS - started)) s; the emulator is stopped"
    say "Next: 'make test' runs every test suite; 'make emulator' keeps an emulator running for your own playbooks."
    say "Read README.md and docs/user-guide.md."
}

main "$@"
