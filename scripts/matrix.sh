#!/usr/bin/env bash
# The supported-versions matrix: runs test suites of scripts/test.sh once per ansible-core/Python pair,
# each in its own virtualenv (.venv/core-<core>-py<python>) and its own build tree, and prints a table
# of results and run times (also written to build/matrix-results.md). Usage:
#   scripts/matrix.sh [LEG...]          LEG = a core series from the table below (2.17, 2.19, 2.21); default all
# Environment:
#   MATRIX_SUITES  suites per leg (default "sanity units integration")
#   MATRIX_SKIP    legs to leave out, e.g. "2.19" when the caller has already run the default leg
# A failing leg does not stop the others; the exit status is non-zero when any leg failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# core series -> exact ansible-core release and the controller Python it is tested with. Each Python is
# one the core supports as a controller: 2.17: 3.10-3.12, 2.19: 3.11-3.13, 2.21: 3.12-3.14.
declare -A CORE=([2.17]=2.17.14 [2.19]=2.19.14 [2.21]=2.21.5)
declare -A PY=([2.17]=3.12 [2.19]=3.11 [2.21]=3.13)
ALL_LEGS=(2.17 2.19 2.21)

SUITES="${MATRIX_SUITES:-sanity units integration}"
SKIP=" ${MATRIX_SKIP:-} "
RESULTS_FILE="$ROOT/build/matrix-results.md"

# A working interpreter for Python X.Y: on PATH, else from pyenv (whose shims on PATH may refuse to run).
resolve_python() {
    local version="$1" candidate
    for candidate in "python$version" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/"python$version"; do
        if "$candidate" -c 'import sys' >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "no working python$version found (PATH or pyenv)" >&2
    return 1
}

main() {
    local legs=("$@") leg suite python start seconds status failed=0 rows=() extra
    [ ${#legs[@]} -gt 0 ] || legs=("${ALL_LEGS[@]}")
    for leg in "${legs[@]}"; do
        if [ -z "${CORE[$leg]:-}" ]; then
            echo "unknown matrix leg: $leg (known: ${ALL_LEGS[*]})" >&2
            return 2
        fi
    done
    mkdir -p "$ROOT/build"
    for leg in "${legs[@]}"; do
        [[ "$SKIP" == *" $leg "* ]] && continue
        if ! python="$(resolve_python "${PY[$leg]}")"; then
            rows+=("| ${CORE[$leg]} | ${PY[$leg]} | (all) | FAIL: no interpreter | 0 |")
            failed=1
            continue
        fi
        for suite in $SUITES; do
            printf '\n==> matrix: ansible-core %s, Python %s: %s\n' "${CORE[$leg]}" "${PY[$leg]}" "$suite"
            start=$SECONDS
            # All integration targets run even after one fails, so that a leg reports every failure.
            extra=()
            [ "$suite" = integration ] && extra=(--continue-on-error)
            if ANSIBLE_CORE="${CORE[$leg]}" PYTHON="$python" VENV='' BUILD_DIR='' \
                "$ROOT/scripts/test.sh" "$suite" "${extra[@]}"; then
                status=pass
            else
                status=FAIL
                failed=1
            fi
            seconds=$((SECONDS - start))
            rows+=("| ${CORE[$leg]} | ${PY[$leg]} | $suite | $status | $seconds |")
        done
    done
    {
        echo "| ansible-core | Python | suite | result | seconds |"
        echo "|---|---|---|---|---|"
        printf '%s\n' "${rows[@]}"
    } | tee "$RESULTS_FILE"
    return "$failed"
}

main "$@"
