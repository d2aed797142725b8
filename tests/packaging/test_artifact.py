# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The release artifact as Galaxy and its users get it: licence text, file list, REUSE compliance.

Run with `nox -s packaging` (ansible-core, reuse and pytest pinned in tests/requirements/).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The FSF's GPL-3.0 text (https://www.gnu.org/licenses/gpl-3.0.txt), byte for byte: the same file as
# Debian's /usr/share/common-licenses/GPL-3 and ansible-core's COPYING.
GPL_3_SHA256 = "3972dc9744f6499f0f9b2dbf76696f2ae7ad8af9b23dde66d6af86c9dfb36986"
# Development-only trees: they need the checkout (emulator, benchmark, demo, harness) and must not ship.
DEVELOPMENT_TREES = (".ci", ".git", ".venv", ".nox", "build", "scripts", "bench", "demo", "tests/docspace_harness", "tests/requirements",
                     "tests/emulator", "tests/system", "tests/packaging", "tests/output")


def _git_files() -> list[str]:
    """The files a clone holds: tracked, and new ones that are not ignored (as tests/docspace_harness/collection.py copies)."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, check=True, capture_output=True).stdout.decode()
    return [name for name in listing.split("\0") if name and os.path.lexists(ROOT / name)]


def _copy_collection(target: Path) -> Path:
    """Copy the checkout's files to TARGET/ansible_collections/onlyoffice/docspace, symlinks kept."""
    collection = target / "ansible_collections" / "onlyoffice" / "docspace"
    for name in _git_files():
        source, destination = ROOT / name, collection / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            destination.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, destination)
    return collection


def _tool(name: str) -> str:
    """A console script of the interpreter running the tests, so that its pins are the ones used."""
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else name


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the collection as a clone would hold it."""
    return _copy_collection(tmp_path_factory.mktemp("source"))


@pytest.fixture(scope="module")
def artifact(collection: Path, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Path:
    """The artifact `ansible-galaxy collection build` makes of the collection; its size goes to the log."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([_tool("ansible-galaxy"), "collection", "build", "--output-path", str(dist), str(collection)],
                   check=True, capture_output=True)
    [built] = dist.glob("onlyoffice-docspace-*.tar.gz")
    with tarfile.open(built) as tar:
        files = [member for member in tar.getmembers() if not member.isdir()]
    # Shown on the terminal even while pytest captures the output of the test using this fixture.
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n{built.name}: {built.stat().st_size} bytes, {len(files)} files, "
                                f"sha256 {hashlib.sha256(built.read_bytes()).hexdigest()}")
    return built


@pytest.fixture(scope="module")
def members(artifact: Path) -> dict[str, tarfile.TarInfo]:
    """The artifact's entries by path."""
    with tarfile.open(artifact) as tar:
        return {member.name.removeprefix("./"): member for member in tar.getmembers()}


@pytest.fixture(scope="module")
def unpacked(artifact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The artifact unpacked, as `ansible-galaxy collection install` would lay it out."""
    target = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(artifact) as tar:
        tar.extractall(target, filter="data")
    return target


def test_artifact_ships_the_gpl_3_text_as_copying_and_in_licenses(unpacked: Path) -> None:
    for name in ("COPYING", "LICENSES/GPL-3.0-or-later.txt"):
        text = (unpacked / name).read_bytes()
        assert hashlib.sha256(text).hexdigest() == GPL_3_SHA256, f"{name} is not the unmodified GPL-3.0 text"


def test_manifest_declares_the_spdx_licence(unpacked: Path) -> None:
    info = json.loads((unpacked / "MANIFEST.json").read_text())["collection_info"]
    assert info["license"] == ["GPL-3.0-or-later"]


def test_artifact_holds_no_development_tree(members: dict[str, tarfile.TarInfo]) -> None:
    leaked = sorted(name for name in members
                    if any(name == tree or name.startswith(tree + "/") for tree in DEVELOPMENT_TREES)
                    or "__pycache__" in name.split("/") or name.endswith(".pyc"))
    assert not leaked, f"development files in the artifact (extend build_ignore in galaxy.yml): {leaked}"


def test_artifact_holds_every_module_role_and_document(members: dict[str, tarfile.TarInfo]) -> None:
    wanted = {path.relative_to(ROOT).as_posix() for pattern in ("plugins/**/*.py", "roles/**/*.yml")
              for path in ROOT.glob(pattern) if "__pycache__" not in path.parts}
    wanted |= {"README.md", "CHANGELOG.md", "docs/user-guide.md", "requirements.txt", "REUSE.toml",
               "meta/runtime.yml", "meta/execution-environment.yml", "changelogs/changelog.yaml"}
    missing = sorted(wanted - set(members))
    assert not missing, f"missing from the artifact: {missing}"


def test_artifact_names_no_placeholder_organisation(unpacked: Path) -> None:
    # The GitHub organisation galaxy.yml and the module authors once named does not exist.
    mentions = sorted(path.relative_to(unpacked).as_posix() for path in unpacked.rglob("*")
                      if path.is_file() and b"onlyoffice-community" in path.read_bytes())
    assert not mentions


@pytest.mark.parametrize("tree", ["collection", "unpacked"])
def test_reuse_lint_passes(tree: str, request: pytest.FixtureRequest) -> None:
    """Every file of the checkout and of the artifact has licensing information (REUSE 3.3)."""
    if importlib.util.find_spec("reuse") is None:
        pytest.fail(f"reuse is not installed for {sys.executable}: use the lint virtualenv "
                    "(tests/requirements/packaging.txt)")
    root: Path = request.getfixturevalue(tree)
    lint = subprocess.run([sys.executable, "-m", "reuse", "--root", str(root), "lint"],
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_artifact_documents_link_only_to_files_it_ships(unpacked: Path) -> None:
    """A Galaxy user reads the README and user guide from the artifact: every relative link must resolve there,
    and `make` commands (which need a checkout) are only offered as such."""
    for document in ("README.md", "docs/user-guide.md", "roles/smtp/README.md"):
        text = (unpacked / document).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (unpacked / document).parent.joinpath(target).resolve().exists(), f"{document} links to {target}"
        if "make " in text:
            assert "checkout" in text, f"{document} offers make commands without saying they need a checkout"
