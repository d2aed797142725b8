#!/usr/bin/env bash
# Lint and packaging gates: what collection users and Galaxy check. Part of `make test` (scripts/test.sh
# runs it as the `lint` suite). Each gate works offline except for PyPI. Usage:
#   scripts/lint.sh [GATE...]          run the named gates (default: all, in the order below)
#   scripts/lint.sh changelog-update   regenerate changelogs/changelog.yaml and CHANGELOG.md from the fragments
#                                      (CHANGELOG_DATE=YYYY-MM-DD sets the release date; see TESTING.md)
# Gates:
#   changelog     antsibull-changelog lint; changelog.yaml and CHANGELOG.md up to date with fragments and modules
#   ansible-lint  ansible-lint, production profile (.ansible-lint), on the roles, playbooks and examples
#   docs          antsibull-docs lint-collection-docs --plugin-docs, and semantic markup only
#   artifact      ansible-galaxy collection build + install into an empty path + ansible-doc of every plugin/role
#   importer      galaxy-importer (no containers, no ansible-test) on the built artifact: no errors
#   ee            meta/execution-environment.yml: ansible-builder introspect + ansible-builder create
# The tools live in their own virtualenv (.venv/lint-py<python>, pins in tests/lint-requirements.txt), and
# every run works on its own copy of the collection (scripts/lib.sh: layout_collection).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Our own interpreter, virtualenv and build tree, whatever the calling test run uses.
PYTHON="${LINT_PYTHON:-python3.11}"
unset BUILD_DIR VENV
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
LINT_VENV="$ROOT/.venv/lint-py$PY_VERSION"
LINT_REQUIREMENTS="$ROOT/tests/lint-requirements.txt"
ALL_GATES=(changelog ansible-lint docs artifact importer ee)
NAMESPACE=onlyoffice
NAME=docspace
INSTALL_DIR="$BUILD_DIR/installed"
DIST_DIR="$BUILD_DIR/dist"

ensure_lint_venv() {
    make_venv "$LINT_VENV" "lint tools" -r "$LINT_REQUIREMENTS"
    # shellcheck disable=SC1091
    source "$LINT_VENV/bin/activate"
    export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
    export ANSIBLE_LOCAL_TEMP="$BUILD_DIR/ansible-tmp" ANSIBLE_HOME="$BUILD_DIR/ansible-home"
}

galaxy_version() {
    python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$COLLECTION_DIR/galaxy.yml"
}

# --- changelog ------------------------------------------------------------------------------------------

# Build changelog.yaml and CHANGELOG.md in a scratch copy of the collection, as the next release would
# have them. While changelogs/fragments/ holds fragments, the version in galaxy.yml is unreleased: its
# entry is rebuilt from the fragments (and the modules/roles added since the last release) on every run,
# keeping the recorded date, so the files in the checkout always show the coming release. After a real
# release (`antsibull-changelog release` removes the fragments) the files are just regenerated.
changelog_preview() {
    local scratch="$BUILD_DIR/changelog/ansible_collections/$NAMESPACE/$NAME" version fragments
    rm -rf "$BUILD_DIR/changelog"
    mkdir -p "$scratch"
    cp -a "$COLLECTION_DIR/." "$scratch/"
    version="$(galaxy_version)"
    fragments="$(find "$scratch/changelogs/fragments" -maxdepth 1 \( -name '*.yml' -o -name '*.yaml' \) | wc -l)"
    (
        cd "$scratch"
        if [ "$fragments" -gt 0 ]; then
            local date
            date="$(python - "$version" <<'PY'
import datetime, os, sys, yaml
version = sys.argv[1]
path = "changelogs/changelog.yaml"
with open(path) as stream:
    changes = yaml.safe_load(stream) or {}
releases = changes.get("releases") or {}
# Keep the date the preview was first recorded with, so that regenerating is stable; CHANGELOG_DATE
# sets the real one when the release is cut.
entry = releases.pop(version, None) or {}
print(os.environ.get("CHANGELOG_DATE") or entry.get("release_date") or datetime.date.today().isoformat())
changes["releases"] = releases
with open(path, "w") as stream:
    yaml.safe_dump(changes, stream, default_flow_style=False, sort_keys=False)
PY
)"
            ANSIBLE_COLLECTIONS_PATH="$BUILD_DIR/changelog" \
                antsibull-changelog release --version "$version" --date "$date" --reload-plugins >/dev/null
        else
            ANSIBLE_COLLECTIONS_PATH="$BUILD_DIR/changelog" antsibull-changelog generate --reload-plugins >/dev/null
        fi
    )
    CHANGELOG_SCRATCH="$scratch"
}

# antsibull-changelog lists a new module or role under the release its version_added names, so a version_added
# ahead of galaxy.yml's version would silently drop it from the coming release's changelog.
check_version_added() {
    python - "$COLLECTION_DIR" "$(galaxy_version)" <<'PY'
"""Fail when a module's or role's version_added is missing or newer than the collection version."""
import ast, pathlib, sys
import yaml
from ansible.module_utils.compat.version import LooseVersion

root, version = pathlib.Path(sys.argv[1]), sys.argv[2]
problems = []
for path in sorted((root / "plugins" / "modules").glob("*.py")):
    tree = ast.parse(path.read_text())
    docs = next((node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and any(getattr(t, "id", "") == "DOCUMENTATION" for t in node.targets)), None)
    added = str((yaml.safe_load(docs or "") or {}).get("version_added", ""))
    if not added:
        problems.append(f"{path.relative_to(root)}: no version_added")
    elif LooseVersion(added) > LooseVersion(version):
        problems.append(f"{path.relative_to(root)}: version_added {added} is newer than galaxy.yml's {version}")
for path in sorted((root / "roles").glob("*/meta/argument_specs.y*ml")):
    entry = ((yaml.safe_load(path.read_text()) or {}).get("argument_specs") or {}).get("main") or {}
    added = str(entry.get("version_added", ""))
    if not added:
        problems.append(f"{path.relative_to(root)}: no version_added in the main entry point")
    elif LooseVersion(added) > LooseVersion(version):
        problems.append(f"{path.relative_to(root)}: version_added {added} is newer than galaxy.yml's {version}")
print("\n".join(problems) or f"every module and role has a version_added up to {version}")
sys.exit(1 if problems else 0)
PY
}

gate_changelog() {
    step "changelog: antsibull-changelog lint, changelog.yaml and CHANGELOG.md up to date"
    (cd "$COLLECTION_DIR" && antsibull-changelog lint)
    check_version_added
    changelog_preview
    local file stale=0
    for file in changelogs/changelog.yaml CHANGELOG.md; do
        if ! diff -u --label "$file (checkout)" --label "$file (expected)" \
            "$COLLECTION_DIR/$file" "$CHANGELOG_SCRATCH/$file"; then
            stale=1
        fi
    done 2>&1
    if [ "$stale" = 1 ]; then
        echo "the changelog is out of date: run scripts/lint.sh changelog-update and commit the result" >&2
        return 1
    fi
    echo "changelog.yaml and CHANGELOG.md are up to date"
}

changelog_update() {
    step "regenerating changelogs/changelog.yaml and CHANGELOG.md"
    (cd "$COLLECTION_DIR" && antsibull-changelog lint)
    changelog_preview
    cp "$CHANGELOG_SCRATCH/changelogs/changelog.yaml" "$ROOT/changelogs/changelog.yaml"
    cp "$CHANGELOG_SCRATCH/CHANGELOG.md" "$ROOT/CHANGELOG.md"
    echo "updated changelogs/changelog.yaml and CHANGELOG.md"
}

# --- ansible-lint ---------------------------------------------------------------------------------------

gate_ansible_lint() {
    step "ansible-lint (production profile)"
    (cd "$COLLECTION_DIR" && ANSIBLE_COLLECTIONS_PATH="$BUILD_DIR" ansible-lint --profile production --offline)
}

# --- docs -----------------------------------------------------------------------------------------------

gate_docs() {
    step "antsibull-docs lint-collection-docs --plugin-docs"
    (cd "$BUILD_DIR" && ANSIBLE_COLLECTIONS_PATH="$BUILD_DIR" antsibull-docs lint-collection-docs \
        --plugin-docs --validate-collection-refs all --disallow-unknown-collection-refs "$COLLECTION_DIR")
    step "semantic markup: options O(), values V(), return values RV(), not the old I()/C() for them"
    python - "$COLLECTION_DIR" <<'PY'
"""Fail on I(...) in plugin documentation: with semantic markup, option names are O(...)."""
import pathlib, re, sys

root = pathlib.Path(sys.argv[1])
problems = []
for path in sorted((root / "plugins").glob("*/*.py")) + sorted((root / "roles").glob("*/meta/argument_specs.y*ml")):
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if re.search(r"(?<![A-Za-z])I\(", line):
            problems.append(f"{path.relative_to(root)}:{number}: I(...) - use O(...) for options, RV(...) for return values")
print("\n".join(problems) or "semantic markup only")
sys.exit(1 if problems else 0)
PY
}

# --- artifact -------------------------------------------------------------------------------------------

build_artifact() {
    if [ -z "${ARTIFACT:-}" ]; then
        rm -rf "$DIST_DIR"
        ansible-galaxy collection build --output-path "$DIST_DIR" "$COLLECTION_DIR"
        ARTIFACT="$(ls "$DIST_DIR"/"$NAMESPACE-$NAME"-*.tar.gz)"
    fi
}

gate_artifact() {
    step "ansible-galaxy collection build, install into an empty path, ansible-doc from the artifact"
    build_artifact
    # Development-only files must stay out of the artifact (galaxy.yml build_ignore).
    local leaked
    leaked="$(tar -tzf "$ARTIFACT" | grep -E '^(\.venv|\.ci|build|scripts|bench|demo|tests/(output|emulator|system))/' || true)"
    if [ -n "$leaked" ]; then
        echo "development files in $ARTIFACT (extend build_ignore in galaxy.yml):" >&2
        echo "$leaked" >&2
        return 1
    fi
    rm -rf "$INSTALL_DIR"
    mkdir -p "$INSTALL_DIR"
    ansible-galaxy collection install --offline -p "$INSTALL_DIR" "$ARTIFACT"
    local installed="$INSTALL_DIR/ansible_collections/$NAMESPACE/$NAME" listed expected name
    expected="$(find "$installed/plugins/modules" -maxdepth 1 -name '*.py' -printf "$NAMESPACE.$NAME.%f\n" \
        | sed 's/\.py$//' | sort)"
    listed="$(installed_doc -t module -l "$NAMESPACE.$NAME" | awk '{print $1}' | sort)"
    check_stderr "ansible-doc -t module -l $NAMESPACE.$NAME"
    awk '{print "  listed: " $0}' <<<"$listed"
    if [ "$listed" != "$expected" ]; then
        echo "ansible-doc lists other modules than plugins/modules holds: $expected" >&2
        return 1
    fi
    for name in $expected; do
        installed_doc -t module "$name" >/dev/null
        check_stderr "ansible-doc -t module $name"
    done
    for name in $(find "$installed/roles" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort); do
        installed_doc -t role "$NAMESPACE.$NAME.$name" >/dev/null
        check_stderr "ansible-doc -t role $NAMESPACE.$NAME.$name"
        echo "  role: $NAMESPACE.$NAME.$name"
    done
    echo "every module and role renders with ansible-doc from the installed artifact"
}

# ansible-doc that sees only the installed artifact (never a collection from site-packages or elsewhere);
# its stderr goes to a file for check_stderr.
installed_doc() {
    ANSIBLE_COLLECTIONS_PATH="$INSTALL_DIR" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
        ansible-doc "$@" 2>"$BUILD_DIR/ansible-doc.err" || { cat "$BUILD_DIR/ansible-doc.err" >&2; return 1; }
}

# Warnings from ansible-doc count as failures: they mean a user sees a broken or odd page.
check_stderr() {
    if [ -s "$BUILD_DIR/ansible-doc.err" ]; then
        echo "$1 wrote to stderr:" >&2
        cat "$BUILD_DIR/ansible-doc.err" >&2
        return 1
    fi
}

# --- galaxy-importer ------------------------------------------------------------------------------------

gate_importer() {
    step "galaxy-importer on the artifact (no containers, no ansible-test)"
    build_artifact
    local workdir="$BUILD_DIR/importer" output
    rm -rf "$workdir"
    mkdir -p "$workdir/tmp"
    cat > "$workdir/galaxy-importer.cfg" <<EOF
[galaxy-importer]
run_ansible_test = False
ansible_test_local_image = False
local_image_docker = False
run_ansible_doc = True
run_ansible_lint = True
offline_ansible_lint = True
check_changelog = True
tmp_root_dir = $workdir/tmp
EOF
    # It writes importer_result.json into the working directory.
    output="$(cd "$workdir" && GALAXY_IMPORTER_CONFIG="$workdir/galaxy-importer.cfg" \
        python -m galaxy_importer.main "$ARTIFACT" 2>&1)" || { echo "$output"; return 1; }
    echo "$output"
    if grep -qE '^(ERROR|CRITICAL)' <<<"$output"; then
        echo "galaxy-importer reported errors" >&2
        return 1
    fi
    grep -q 'Importer processing completed successfully' <<<"$output"
}

# --- execution environment ------------------------------------------------------------------------------

gate_ee() {
    step "execution environment: ansible-builder introspect and create"
    build_artifact
    if [ ! -d "$INSTALL_DIR/ansible_collections/$NAMESPACE/$NAME" ]; then
        mkdir -p "$INSTALL_DIR"
        ansible-galaxy collection install --offline -p "$INSTALL_DIR" "$ARTIFACT" >/dev/null
    fi
    local workdir="$BUILD_DIR/ee" introspected tarball
    rm -rf "$workdir"
    mkdir -p "$workdir"
    # What an EE build sees: the installed collection's meta/execution-environment.yml, paths relative to
    # the collection root.
    ansible-builder introspect --sanitize "$INSTALL_DIR" --write-pip "$workdir/introspected.txt"
    introspected="$(cat "$workdir/introspected.txt")"
    if ! grep -qE "^requests.*# from collection $NAMESPACE\.$NAME" <<<"$introspected"; then
        echo "ansible-builder introspect found no requests requirement from $NAMESPACE.$NAME:" >&2
        echo "$introspected" >&2
        return 1
    fi
    # A minimal EE that installs the artifact; `create` only writes the build context (no container engine).
    tarball="$(basename "$ARTIFACT")"
    cat > "$workdir/execution-environment.yml" <<EOF
---
version: 3
images:
  base_image:
    name: quay.io/fedora/python-311:latest
dependencies:
  ansible_core:
    package_pip: ansible-core==2.19.14
  ansible_runner:
    package_pip: ansible-runner
  python: $INSTALL_DIR/ansible_collections/$NAMESPACE/$NAME/requirements.txt
  galaxy:
    collections:
      - name: /build/collections/$tarball
        type: file
additional_build_files:
  - src: $ARTIFACT
    dest: collections
additional_build_steps:
  prepend_galaxy:
    - COPY _build/collections/ /build/collections/
EOF
    ansible-builder create --file "$workdir/execution-environment.yml" --context "$workdir/context" \
        --output-filename Containerfile -v 1
    local context="$workdir/context" missing=0
    for file in Containerfile _build/requirements.txt _build/requirements.yml "_build/collections/$tarball"; do
        [ -f "$context/$file" ] || { echo "missing from the build context: $file" >&2; missing=1; }
    done
    [ "$missing" = 0 ] || return 1
    grep -qE '^requests' "$context/_build/requirements.txt" \
        || { echo "the build context's requirements.txt has no requests" >&2; return 1; }
    echo "build context in $context: Containerfile, requirements.txt (requests), requirements.yml, artifact"
}

run_gate() {
    case "$1" in
        changelog) gate_changelog ;;
        ansible-lint) gate_ansible_lint ;;
        docs) gate_docs ;;
        artifact) gate_artifact ;;
        importer) gate_importer ;;
        ee) gate_ee ;;
    esac
}

main() {
    local gates=("$@") gate failed=() times=() start rc
    [ ${#gates[@]} -gt 0 ] || gates=("${ALL_GATES[@]}")
    for gate in "${gates[@]}"; do
        case " ${ALL_GATES[*]} changelog-update " in
            *" $gate "*) ;;
            *) echo "unknown gate: $gate (${ALL_GATES[*]} | changelog-update)" >&2; return 2 ;;
        esac
    done
    trap cleanup_run EXIT
    ensure_lint_venv
    layout_collection
    if [ "${gates[0]}" = changelog-update ]; then
        changelog_update
        return
    fi
    case " ${gates[*]} " in
        *" artifact "* | *" importer "* | *" ee "*) build_artifact ;;
    esac
    for gate in "${gates[@]}"; do
        # Every gate runs, even after a failure, so that one run shows everything to fix; each in a
        # subshell with errexit in force (in an `if` condition bash would ignore it).
        start=$SECONDS
        set +e
        (set -e; run_gate "$gate")
        rc=$?
        set -e
        [ "$rc" = 0 ] || failed+=("$gate")
        times+=("$gate $([ "$rc" = 0 ] && echo pass || echo FAIL) $((SECONDS - start))s")
    done
    step "lint gates: ${#gates[@]} run, ${#failed[@]} failed${failed:+ (${failed[*]})}"
    printf '  %s\n' "${times[@]}"
    [ ${#failed[@]} -eq 0 ]
}

main "$@"
