#!/usr/bin/env bash
# `make emulator`: run the DocSpace portal emulator (and its SMTP server) in the foreground, for rehearsing
# playbooks offline. It writes an info file and an Ansible inventory of its portals, prints how to use
# them, lays out this checkout as an installed collection beside them, and stops on Ctrl-C. Arguments go to the emulator (default: --portals 3), e.g.
#   scripts/emulator.sh --portals 5 --https
# Environment: DOCSPACE_EMULATOR_DIR (default ${TMPDIR:-/tmp}/docspace-emulator) for the info file and inventory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${DOCSPACE_EMULATOR_DIR:-${TMPDIR:-/tmp}/docspace-emulator}"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

main() {
    local info="$BUILD_DIR/info.json" inventory="$BUILD_DIR/inventory.yml" pid
    [ $# -gt 0 ] || set -- --portals 3
    mkdir -p "$BUILD_DIR"
    ensure_venv
    layout_collection  # $BUILD_DIR/ansible_collections/onlyoffice/docspace: this checkout, as Ansible loads it
    # No `rm -f "$info"`: if another emulator still runs with it, ours refuses (it locks "$info.lock") and
    # the running one's info file and inventory stay as they are. Wait for an info file with our pid.
    PYTHONPATH="$ROOT/tests/emulator" python "$ROOT/tests/emulator/run_emulator.py" --info-file "$info" "$@" &
    pid=$!
    trap 'kill "${pid:-}" 2>/dev/null || true; wait "${pid:-}" 2>/dev/null || true' EXIT
    trap 'exit 0' INT TERM
    for _ in $(seq 1 100); do
        grep -Eqs "\"pid\": $pid([^0-9]|$)" "$info" && break
        kill -0 "$pid" 2>/dev/null || { echo "the portal emulator did not start" >&2; exit 1; }
        sleep 0.1
    done
    grep -Eqs "\"pid\": $pid([^0-9]|$)" "$info" || { echo "the portal emulator did not write $info in 10 s" >&2; exit 1; }
    python "$ROOT/demo/emulator_tool.py" inventory "$info" "$inventory"
    echo
    python "$ROOT/demo/emulator_tool.py" describe "$info" "$inventory"
    echo "The collection from this checkout, for playbooks run in another terminal (the venv has ansible-core):"
    echo "  source $VENV/bin/activate; export ANSIBLE_COLLECTIONS_PATH=$BUILD_DIR"
    wait "$pid"
}

main "$@"
