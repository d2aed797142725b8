#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The packaging gates antsibull-nox has no session for (noxfile.py: changelog, artifact, build-import-check, ee).

Usage: gates.py GATE COLLECTION_DIR [CHECKOUT]; COLLECTION_DIR is a throw-away .../ansible_collections/
onlyoffice/docspace tree, CHECKOUT (changelog-update only) the checkout to write the changelog into.
"""

from __future__ import annotations

import ast
import datetime
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml
from ansible.module_utils.compat.version import LooseVersion

NAMESPACE, NAME = "onlyoffice", "docspace"
CHANGELOG_FILES = ("changelogs/changelog.yaml", "CHANGELOG.md")
# Development-only paths that must stay out of the artifact (galaxy.yml build_ignore).
DEV_PREFIXES = (".venv/", ".nox/", ".ci/", "build/", "bench/", "demo/", "tests/output/", "tests/emulator/",
                "tests/system/", "tests/packaging/", "tests/docspace_harness/", "tests/requirements/")


class GateError(Exception):
    """A gate found something to fix."""


def run(*command: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run command, echo its output, fail with it."""
    done = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          check=False)
    print(done.stdout + done.stderr, end="")
    if done.returncode:
        raise GateError(f"{' '.join(command)} failed (rc {done.returncode})")
    return done.stdout


def galaxy_version(collection: Path) -> str:
    """The version in galaxy.yml."""
    return str(yaml.safe_load((collection / "galaxy.yml").read_text())["version"])


# --- changelog ------------------------------------------------------------------------------------------

def version_added_problems(collection: Path) -> list[str]:
    """Modules or roles without version_added, or newer than galaxy.yml's version.

    antsibull-changelog lists a new module or role under the release its version_added names, so a
    version_added ahead of galaxy.yml would silently drop it from the coming release's changelog.
    """
    version, problems, found = galaxy_version(collection), [], []
    for path in sorted((collection / "plugins" / "modules").glob("*.py")):
        docs = next((getattr(node.value, "value", None) for node in ast.parse(path.read_text()).body if isinstance(node, ast.Assign)
                     and any(getattr(t, "id", "") == "DOCUMENTATION" for t in node.targets)), None)
        found.append((path, str((yaml.safe_load(str(docs or "")) or {}).get("version_added", ""))))
    for path in sorted((collection / "roles").glob("*/meta/argument_specs.y*ml")):
        entry = ((yaml.safe_load(path.read_text()) or {}).get("argument_specs") or {}).get("main") or {}
        found.append((path, str(entry.get("version_added", ""))))
    for path, added in found:
        if not added:
            problems.append(f"{path.relative_to(collection)}: no version_added")
        elif LooseVersion(added) > LooseVersion(version):
            problems.append(f"{path.relative_to(collection)}: version_added {added} is newer than galaxy.yml's {version}")
    return problems


def changelog_preview(collection: Path) -> Path:
    """changelog.yaml and CHANGELOG.md as the next release would have them, built in a scratch copy.

    While changelogs/fragments/ holds fragments, galaxy.yml's version is unreleased: its entry is rebuilt
    from the fragments (and the modules and roles added since) on every run, keeping its recorded date
    (CHANGELOG_DATE sets the real one when the release is cut). Without fragments the files are regenerated.
    """
    root = collection.parents[2] / "changelog"
    scratch = root / "ansible_collections" / NAMESPACE / NAME
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(collection, scratch)
    version = galaxy_version(scratch)
    env = {"ANSIBLE_COLLECTIONS_PATH": str(root)}
    if any((scratch / "changelogs" / "fragments").glob("*.y*ml")):
        path = scratch / "changelogs" / "changelog.yaml"
        changes = yaml.safe_load(path.read_text()) or {}
        entry = (changes.get("releases") or {}).pop(version, None) or {}
        date = os.environ.get("CHANGELOG_DATE") or entry.get("release_date") or datetime.date.today().isoformat()
        path.write_text(yaml.safe_dump(changes, default_flow_style=False, sort_keys=False))
        run("antsibull-changelog", "release", "--version", version, "--date", str(date), "--reload-plugins",
            cwd=scratch, env=env)
    else:
        run("antsibull-changelog", "generate", "--reload-plugins", cwd=scratch, env=env)
    return scratch


def gate_changelog(collection: Path) -> None:
    """Lint, version_added, and changelog files up to date."""
    run("antsibull-changelog", "lint", cwd=collection)
    problems = version_added_problems(collection)
    if problems:
        raise GateError("\n".join(problems))
    scratch = changelog_preview(collection)
    stale = [name for name in CHANGELOG_FILES if (collection / name).read_text() != (scratch / name).read_text()]
    for name in stale:
        subprocess.run(["diff", "-u", str(collection / name), str(scratch / name)], check=False)
    if stale:
        raise GateError(f"out of date: {', '.join(stale)}; run `nox -s changelog-update` and commit the result")
    print("changelog.yaml and CHANGELOG.md are up to date")


def gate_changelog_update(collection: Path, checkout: Path) -> None:
    """Write the previewed changelog files into the checkout."""
    run("antsibull-changelog", "lint", cwd=collection)
    scratch = changelog_preview(collection)
    for name in CHANGELOG_FILES:
        shutil.copy(scratch / name, checkout / name)
    print(f"updated {', '.join(CHANGELOG_FILES)}")


# --- artifact -------------------------------------------------------------------------------------------

def build_and_install(collection: Path) -> tuple[Path, Path]:
    """ansible-galaxy collection build, then install into an empty path; (artifact, collections path)."""
    work = collection.parents[2]
    run("ansible-galaxy", "collection", "build", "--output-path", str(work / "dist"), str(collection))
    artifact = next((work / "dist").glob(f"{NAMESPACE}-{NAME}-*.tar.gz"))
    run("ansible-galaxy", "collection", "install", "--offline", "-p", str(work / "installed"), str(artifact))
    return artifact, work / "installed"


# What ansible-doc says about ansible-core itself, not about the collection: 2.21+ looks, for `-t role`, for the
# version of a collection inside ansible-core that has none.
CORE_NOTES = ("/ansible/_internal/ansible_collections/ansible/_protomatter' does not have a MANIFEST.json",)


def installed_doc(installed: Path, *args: str) -> str:
    """ansible-doc that sees only the installed artifact; a warning on stderr fails like an error."""
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(installed), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
           # ansible-core 2.21+ imports its SSH agent code, which uses DSA, and cryptography 46+ warns about that on
           # stderr: a dependency's note, not a warning of ansible-doc's about the collection.
           "PYTHONWARNINGS": "ignore:DSA is deprecated"}
    done = subprocess.run(["ansible-doc", *args], env=env, capture_output=True, text=True, check=False)
    problems = [line for line in done.stderr.splitlines() if line.strip() and not any(note in line for note in CORE_NOTES)]
    if done.returncode or problems:
        raise GateError(f"ansible-doc {' '.join(args)}: rc {done.returncode}\n{done.stderr}")
    return done.stdout


def gate_artifact(collection: Path) -> None:
    """No development files in the artifact; every module, plugin with documentation and role renders from the
    installed artifact, with the ansible-core of this environment (nox runs this gate on each tested core)."""
    artifact, installed = build_and_install(collection)
    with tarfile.open(artifact) as tar:
        leaked = [name for name in tar.getnames() if name.startswith(DEV_PREFIXES)]
    if leaked:
        raise GateError(f"development files in {artifact.name} (extend build_ignore in galaxy.yml): {leaked}")
    tree = installed / "ansible_collections" / NAMESPACE / NAME
    rendered = []
    for kind, directory in (("module", "modules"), ("callback", "callback"), ("filter", "filter")):
        expected = sorted(f"{NAMESPACE}.{NAME}.{path.stem}" for path in (tree / "plugins" / directory).glob("*.py"))
        listed = sorted(line.split()[0] for line in installed_doc(installed, "-t", kind, "-l", f"{NAMESPACE}.{NAME}")
                        .splitlines() if line.strip())
        if listed != expected:
            raise GateError(f"ansible-doc -t {kind} lists {listed}, plugins/{directory} holds {expected}")
        for name in expected:
            installed_doc(installed, "-t", kind, name)
        rendered += expected
    roles = sorted(f"{NAMESPACE}.{NAME}.{path.name}" for path in (tree / "roles").iterdir() if path.is_dir())
    for name in roles:
        installed_doc(installed, "-t", "role", name)
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    print(f"ansible-core {core_version()}: ansible-doc renders {rendered + roles} from the installed artifact\n"
          f"{artifact.name}: {artifact.stat().st_size} bytes, sha256 {digest}")


def core_version() -> str:
    """The release of the ansible-core this gate runs with."""
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel  # only for the log line
    return __version__


# --- galaxy-importer -----------------------------------------------------------------------------------

# galaxy-importer refuses an artifact without `repository` before it checks anything else, and the project
# has no public repository yet (galaxy.yml leaves it out rather than invent one). The gate therefore imports
# a copy built with this reserved, never-resolving address (RFC 2606) added to the copy's galaxy.yml only, so
# that every other check of the importer still runs; the artifact users get names no address at all.
STAND_IN_REPOSITORY = "https://example.invalid/onlyoffice.docspace"


def gate_importer(collection: Path) -> None:
    """galaxy-importer (ansible-doc, ansible-lint, changelog; no containers) on the built artifact."""
    metadata_path = collection / "galaxy.yml"
    metadata = yaml.safe_load(metadata_path.read_text())
    if metadata.get("repository"):
        raise GateError("galaxy.yml names a repository now: drop the stand-in in gates.py (gate_importer)")
    metadata_path.write_text(metadata_path.read_text() + f"repository: {STAND_IN_REPOSITORY}\n")
    work = collection.parents[2]
    run("ansible-galaxy", "collection", "build", "--output-path", str(work / "dist"), str(collection))
    artifact = next((work / "dist").glob(f"{NAMESPACE}-{NAME}-*.tar.gz"))
    config = Path(__file__).resolve().parents[1] / "galaxy-importer.cfg"
    output = run(sys.executable, "-m", "galaxy_importer.main", artifact.name, cwd=work / "dist",
                 env={"GALAXY_IMPORTER_CONFIG": str(config)})
    problems = [line for line in output.splitlines() if line.startswith(("ERROR", "WARNING"))]
    if problems:
        raise GateError("galaxy-importer reported:\n" + "\n".join(problems))
    print(f"galaxy-importer accepted {artifact.name} (built with the stand-in repository {STAND_IN_REPOSITORY})")


# --- execution environment ------------------------------------------------------------------------------

EE_DEFINITION = """---
version: 3
images:
  base_image:
    name: quay.io/fedora/python-311:latest
dependencies:
  ansible_core:
    package_pip: ansible-core==2.19.14
  ansible_runner:
    package_pip: ansible-runner
  python: {requirements}
  galaxy:
    collections:
      - name: /build/collections/{tarball}
        type: file
additional_build_files:
  - src: {artifact}
    dest: collections
additional_build_steps:
  prepend_galaxy:
    - COPY _build/collections/ /build/collections/
"""


def gate_ee(collection: Path) -> None:
    """ansible-builder finds requests in the installed artifact and writes an EE build context with it."""
    artifact, installed = build_and_install(collection)
    work = collection.parents[2] / "ee"
    work.mkdir()
    run("ansible-builder", "introspect", "--sanitize", str(installed), "--write-pip", str(work / "introspected.txt"))
    introspected = (work / "introspected.txt").read_text()
    if not any(line.startswith("requests") and f"# from collection {NAMESPACE}.{NAME}" in line
               for line in introspected.splitlines()):
        raise GateError(f"ansible-builder introspect found no requests requirement from {NAMESPACE}.{NAME}:\n{introspected}")
    tree = installed / "ansible_collections" / NAMESPACE / NAME
    (work / "execution-environment.yml").write_text(EE_DEFINITION.format(
        requirements=tree / "requirements.txt", tarball=artifact.name, artifact=artifact))
    # `create` only writes the build context: no container engine needed.
    run("ansible-builder", "create", "--file", str(work / "execution-environment.yml"), "--context",
        str(work / "context"), "--output-filename", "Containerfile", "-v", "1")
    context = work / "context"
    missing = [name for name in ("Containerfile", "_build/requirements.txt", "_build/requirements.yml",
                                 f"_build/collections/{artifact.name}") if not (context / name).is_file()]
    if missing:
        raise GateError(f"missing from the build context: {missing}")
    if not any(line.startswith("requests") for line in (context / "_build" / "requirements.txt").read_text().splitlines()):
        raise GateError("the build context's requirements.txt has no requests")
    print(f"build context in {context}: Containerfile, requirements.txt (requests), requirements.yml, artifact")


def main() -> int:
    """Run one gate; exit 1 with the reason when it finds something."""
    gates = {"changelog": gate_changelog, "artifact": gate_artifact, "importer": gate_importer, "ee": gate_ee}
    if len(sys.argv) < 3 or sys.argv[1] not in [*gates, "changelog-update"]:
        print(__doc__, file=sys.stderr)
        return 2
    collection = Path(sys.argv[2])
    try:
        if sys.argv[1] == "changelog-update":
            gate_changelog_update(collection, Path(sys.argv[3]))
        else:
            gates[sys.argv[1]](collection)
    except GateError as error:
        print(f"{sys.argv[1]}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
