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
