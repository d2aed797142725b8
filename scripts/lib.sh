# Shared set-up for scripts/test.sh, scripts/demo.sh and the benchmark. Source it; do not run it.
# shellcheck shell=bash

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
ANSIBLE_CORE="${ANSIBLE_CORE:-2.19.14}"
PYTHON="${PYTHON:-python3.11}"
PY_VERSION="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
VENV="${VENV:-$ROOT/.venv/core-$ANSIBLE_CORE-py$PY_VERSION}"
# Outside the checkout (inside it, ansible-test would list files with the checkout's git and skip ours),
# and one per run, so that runs side by side do not pull the tree from under each other.
if [ -z "${BUILD_DIR:-}" ]; then
    BUILD_DIR="$(mktemp -d "${TMPDIR:-/tmp}/onlyoffice-docspace.XXXXXX")"
    REMOVE_BUILD_DIR=1
fi
COLLECTION_DIR="$BUILD_DIR/ansible_collections/onlyoffice/docspace"
EMULATOR_PIDS=()

# A heading, with the seconds since the script started, so that logs show where the time goes.
step() { printf '\n==> [%4ss] %s\n' "$SECONDS" "$*"; }

# Create a virtualenv at DIR and pip-install ARGS into it, or reuse it: it is rebuilt only when the
# arguments or the contents of the requirement files among them change.  make_venv DIR LABEL ARGS...
make_venv() {
    local dir="$1" label="$2" stamp_want arg
    shift 2
    stamp_want="$(for arg in "$@"; do
        printf '%s\n' "$arg"
        if [ -f "$arg" ]; then cat "$arg"; fi
    done | sha256sum | cut -c1-16)"
    if [ ! -f "$dir/.requirements-stamp" ] || [ "$(cat "$dir/.requirements-stamp")" != "$stamp_want" ]; then
        step "creating virtualenv $dir ($label)"
        rm -rf "$dir"
        "$PYTHON" -m venv "$dir"
        "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
        "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
        echo "$stamp_want" > "$dir/.requirements-stamp"
    fi
}

# The pinned requirement files of the tests, as pip arguments.
test_requirement_args() {
    local file
    for file in "$ROOT"/tests/requirements-*.txt; do printf -- '-r\n%s\n' "$file"; done
}

# The test virtualenv: the pinned ansible-core and test tools; activated for the rest of the script.
ensure_venv() {
    local requirement_args=()
    mapfile -t requirement_args < <(test_requirement_args)
    make_venv "$VENV" "ansible-core $ANSIBLE_CORE, Python $PY_VERSION" \
        "ansible-core==$ANSIBLE_CORE" "${requirement_args[@]}"
    # shellcheck disable=SC1091
    source "$VENV/bin/activate"
}

# ansible-test bootstraps pip in its virtualenvs with a script it downloads from ansible's CI file
# server, which is out of reach here (and on many company networks). It uses a cached copy first, so we
# put a stand-in there that bootstraps pip from the interpreter's own ensurepip and installs from PyPI.
ensure_pip_bootstrap_standin() {
    local pip_version cache
    pip_version="$(python - <<'PY'
import pathlib, re, ansible_test
source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
print(re.search(r"pip='([0-9.]+)'", source.read_text()).group(1))
PY
)"
    cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
    if [ ! -f "$cache" ]; then
        mkdir -p "$(dirname "$cache")"
        cp "$ROOT/scripts/get_pip_standin.py" "$cache"
        echo "installed the pip bootstrap stand-in as $cache"
    fi
}

# ansible-test needs the collection at .../ansible_collections/onlyoffice/docspace; copy the files git
# knows (tracked, and new ones not ignored) so that the run sees exactly what a clone would hold.
layout_collection() {
    rm -rf "$COLLECTION_DIR"
    mkdir -p "$COLLECTION_DIR"
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
        | tar --null -T - -cf - ) | tar -xf - -C "$COLLECTION_DIR"
}

# Start an emulator in the background; its info file appears once it is listening.
# start_emulator NAME ARGS...  -> sets EMULATOR_INFO_<NAME>
start_emulator() {
    local name="$1" info
    shift
    info="$BUILD_DIR/emulator-$name.json"
    rm -f "$info"
    PYTHONPATH="$ROOT/tests/emulator" python "$ROOT/tests/emulator/run_emulator.py" \
        --info-file "$info" "$@" > "$BUILD_DIR/emulator-$name.log" 2>&1 &
    EMULATOR_PIDS+=("$!")
    for _ in $(seq 1 100); do
        [ -f "$info" ] && break
        if ! kill -0 "${EMULATOR_PIDS[-1]}" 2>/dev/null; then
            cat "$BUILD_DIR/emulator-$name.log" >&2
            echo "the portal emulator ($name) did not start" >&2
            return 1
        fi
        sleep 0.1
    done
    [ -f "$info" ] || { echo "the portal emulator ($name) did not write $info in 10 s" >&2; return 1; }
    printf -v "EMULATOR_INFO_${name}" '%s' "$info"
}

# Stop what this run started and remove its build tree (KEEP_BUILD=1 keeps it for a post-mortem).
cleanup_run() {
    stop_emulators
    if [ "${REMOVE_BUILD_DIR:-0}" = 1 ] && [ "${KEEP_BUILD:-0}" != 1 ]; then
        rm -rf "$BUILD_DIR"
    fi
}

stop_emulators() {
    local pid
    for pid in "${EMULATOR_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    EMULATOR_PIDS=()
}

# The emulators the integration targets talk to, handed over through ansible-test's integration_config.yml.
start_emulators() {
    # portals[0..7]: DocSpace 3.7, each its own installation; portals[8] (portal9): DocSpace 3.0, login only;
    # portals[9] and portals[10] (portal10, portal11): one installation, sharing its test queue.
    start_emulator http --portals 8 --portal version=3.0 --portal installation=shared --portal installation=shared
    start_emulator https --portals 1 --https
    # EMULATOR_INFO_http and EMULATOR_INFO_https are set by start_emulator (printf -v).
    # shellcheck disable=SC2154
    python - "$EMULATOR_INFO_http" "$EMULATOR_INFO_https" "$COLLECTION_DIR/tests/integration/integration_config.yml" <<'PY'
import json, sys
http_info, https_info, target = sys.argv[1:]
with open(http_info) as f_http, open(https_info) as f_https:
    config = {"docspace_emulator": json.load(f_http), "docspace_emulator_https": json.load(f_https)}
with open(target, "w") as out:
    json.dump(config, out, indent=1)  # JSON is YAML
PY
}
