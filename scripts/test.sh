#!/usr/bin/env bash
# The project's test entry point (README: `make test`). Works on a fresh clone with only Python and pip:
# it builds its own virtualenv, lays out the ansible_collections tree that ansible-test needs, starts the
# portal emulator for the integration tests, and runs every suite. Usage:
#   scripts/test.sh [all|sanity|units|emulator|integration|system|lint|matrix] [ansible-test args...]
# Environment: ANSIBLE_CORE (default 2.19.14), PYTHON (default python3.11).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

run_sanity() {
    step "ansible-test sanity (ansible-core $ANSIBLE_CORE, Python $PY_VERSION)"
    (cd "$COLLECTION_DIR" && ansible-test sanity --local --python "$PY_VERSION" --color no "$@")
}

run_units() {
    step "ansible-test units (ansible-core $ANSIBLE_CORE, Python $PY_VERSION)"
    (cd "$COLLECTION_DIR" && ansible-test units --local --python "$PY_VERSION" --color no "$@")
}

run_emulator_tests() {
    step "portal emulator tests (pytest)"
    (cd "$ROOT" && PYTHONPATH="$ROOT/tests/emulator" python -m pytest -q -p no:cacheprovider tests/emulator/tests "$@")
}

run_integration() {
    step "ansible-test integration against the portal emulator"
    start_emulators
    (cd "$COLLECTION_DIR" && ansible-test integration --local --python "$PY_VERSION" --color no "$@")
}

run_system() {
    step "system tests: ansible-playbook runs against the emulator (pytest)"
    if [ -d "$ROOT/tests/system" ]; then
        (cd "$COLLECTION_DIR" && PYTHONPATH="$ROOT/tests/emulator" python -m pytest -q -p no:cacheprovider \
            tests/system "$@")
    else
        echo "no system tests yet"
    fi
}

run_lint() {
    step "lint gates"
    if [ -x "$ROOT/scripts/lint.sh" ]; then
        "$ROOT/scripts/lint.sh" "$@"
    else
        echo "no lint gates yet"
    fi
}

# The other supported ansible-core releases (scripts/matrix.sh); this run's own core is not repeated.
run_matrix() {
    step "version matrix: the other supported ansible-core releases"
    MATRIX_SKIP="${ANSIBLE_CORE%.*}" "$ROOT/scripts/matrix.sh" "$@"
}

main() {
    local what="${1:-all}"
    [ $# -gt 0 ] && shift
    ensure_venv
    ensure_pip_bootstrap_standin
    layout_collection
    trap cleanup_run EXIT
    case "$what" in
        sanity) run_sanity "$@" ;;
        units) run_units "$@" ;;
        emulator) run_emulator_tests "$@" ;;
        integration) run_integration "$@" ;;
        system) run_system "$@" ;;
        lint) run_lint "$@" ;;
        matrix) run_matrix "$@" ;;
        all)
            run_sanity
            run_units
            run_emulator_tests
            run_integration
            run_system
            run_lint
            run_matrix
            step "all test suites passed"
            ;;
        *) echo "unknown suite: $what (all|sanity|units|emulator|integration|system|lint|matrix)" >&2; exit 2 ;;
    esac
}

main "$@"
