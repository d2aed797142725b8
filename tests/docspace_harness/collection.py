# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Lay out the checkout as ansible-test wants it, and let ansible-test bootstrap pip offline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

NAMESPACE = "onlyoffice"
NAME = "docspace"
ROOT = Path(__file__).resolve().parents[2]


def git_files(root: Path = ROOT) -> list[str]:
    """The files a clone would hold: tracked ones and new ones that .gitignore does not match."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=root, capture_output=True, check=True).stdout.decode()
    return [name for name in listing.split("\0") if name and (root / name).exists()]


def layout_collection(collections_root: Path | None = None, root: Path = ROOT) -> Path:
    """Copy the checkout to <collections_root>/ansible_collections/onlyoffice/docspace; return that path.

    The tree lives outside the checkout (by default in a new temporary directory): inside it, ansible-test
    would list files with the checkout's git and skip ours. A copy rather than a symlink, so that runs
    side by side never pull a tree from under each other.
    """
    if collections_root is None:
        collections_root = Path(tempfile.mkdtemp(prefix="onlyoffice-docspace."))
    target = collections_root / "ansible_collections" / NAMESPACE / NAME
    if target.exists():
        shutil.rmtree(target)
    for name in git_files(root):
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, destination, follow_symlinks=False)
    return target


def pip_bootstrap_standin(ansible_test_dir: Path, home: Path | None = None) -> Path | None:
    """Put get_pip_standin.py where ansible-test looks for its cached get-pip script; return it if new.

    ansible-test bootstraps pip in its virtualenvs with a script from ansible's CI file server, which is
    out of reach here (and on many company networks). It uses a cached copy first, named after the pip
    version it pins in _internal/python_requirements.py.
    """
    source = (ansible_test_dir / "_internal" / "python_requirements.py").read_text(encoding="utf-8")
    match = re.search(r"pip='([0-9.]+)'", source)
    if not match:
        raise RuntimeError(f"no pinned pip version in {ansible_test_dir}: the get-pip stand-in needs updating")
    cache = (home or Path.home()) / ".ansible" / "test" / "cache" / f"get_pip_{match.group(1).replace('.', '_')}.py"
    if cache.exists():
        return None
    cache.parent.mkdir(parents=True, exist_ok=True)
    # Copied beside it and renamed into place: the two `make test` lanes may both get here on a fresh home,
    # and ansible-test must never read a half-written script.
    partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
    shutil.copy(Path(__file__).with_name("get_pip_standin.py"), partial)
    os.replace(partial, cache)
    return cache


# Requirements of ansible-test's sanity environments that name a GitHub archive, which is out of reach here (and
# on many company networks), with the PyPI release that replaces each on the controller Pythons of our matrix.
# ansible-core 2.22's pylint test takes dill from a commit "until dill released with 3.15 support"
# (sanity.pylint.in); dill 0.4.1 on PyPI supports Python 3.13, the Python of the 2.22 leg.
PYPI_FOR_GITHUB_REQUIREMENTS = {"dill": "dill==0.4.1"}
_GITHUB_REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)\s*@\s*https://github\.com/\S+$", re.MULTILINE)


def offline_sanity_requirements(ansible_test_dir: Path) -> list[str]:
    """Replace ansible-test's requirements on GitHub archives by their PyPI releases; return what was replaced.

    An unknown one raises: a new core's requirement needs a line in PYPI_FOR_GITHUB_REQUIREMENTS, not a guess.
    """
    replaced = []
    for path in sorted((ansible_test_dir / "_data" / "requirements").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for match in _GITHUB_REQUIREMENT.finditer(text):
            name = match["name"]
            if name not in PYPI_FOR_GITHUB_REQUIREMENTS:
                raise RuntimeError(f"{path.name} installs {name} from GitHub, which is out of reach: add its PyPI "
                                   "release to PYPI_FOR_GITHUB_REQUIREMENTS in tests/docspace_harness/collection.py")
            replaced.append(f"{path.name}: {match[0]} -> {PYPI_FOR_GITHUB_REQUIREMENTS[name]}")
        new_text = _GITHUB_REQUIREMENT.sub(lambda match: PYPI_FOR_GITHUB_REQUIREMENTS[match["name"]], text)
        if new_text != text:
            path.write_text(new_text, encoding="utf-8")
    return replaced
