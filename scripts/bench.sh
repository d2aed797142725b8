#!/usr/bin/env bash
# The benchmark (README: `make bench`): real ansible-playbook runs against the bundled portal emulator,
# measuring requests per task, wall time per task against ansible.builtin.ping and the uri way, module
# start-up, smtp_test's detection latency and the role over a fleet of 10/50/100 portals.
# Writes bench/results/bench.{md,json} and bench-fleet.png (--quick: bench-quick.*, small sizes, about
# 2 minutes; fails only when something is broken, never on speed). Usage:
#   scripts/bench.sh [--quick] [--strict] [--only SECTION]... [--out DIR]
# Environment: ANSIBLE_CORE (default 2.19.14), PYTHON (default python3.11).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
BENCH_VENV="${BENCH_VENV:-$ROOT/.venv/bench-core-$ANSIBLE_CORE-py$PY_VERSION}"

# Its own virtualenv: the test one stays free of matplotlib and is not rebuilt because of the benchmark.
ensure_bench_venv() {
    local requirement_args=()
    mapfile -t requirement_args < <(test_requirement_args)
    make_venv "$BENCH_VENV" "benchmark: ansible-core $ANSIBLE_CORE, Python $PY_VERSION" \
        "ansible-core==$ANSIBLE_CORE" -r "$ROOT/bench/requirements.txt" "${requirement_args[@]}"
}

main() {
    local started=$SECONDS
    ensure_bench_venv
    layout_collection
    trap cleanup_run EXIT
    step "benchmark (ansible-core $ANSIBLE_CORE, Python $PY_VERSION, $(nproc) CPUs)"
    "$BENCH_VENV/bin/python" "$ROOT/bench/run_bench.py" --collections-root "$BUILD_DIR" "$@"
    step "benchmark finished in $((SECONDS - started)) s"
}

main "$@"
