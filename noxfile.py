# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one entry point of tests, gates, benchmark and demo: `nox -l` lists the sessions.

antsibull-nox (antsibull-nox.toml) brings lint (ruff), typing (mypy), docs-check, extra-checks,
build-import-check and ansible-lint; the sessions below are ours. `make test` runs TEST_SESSIONS.
New test files need no change here: pytest collects tests/emulator/tests, tests/system and ansible-test
tests/unit and tests/integration/targets. A new gate is one short session tagged "gates".
"""

from __future__ import annotations

import glob
import json
import os
import runpy
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import antsibull_nox
import nox

ROOT = Path(__file__).resolve().parent
REQUIREMENTS = ROOT / "tests" / "requirements"
sys.path.insert(0, str(ROOT / "tests"))
# pylint: disable-next=wrong-import-position  # the harness lives in tests/, not in site-packages
from docspace_harness.collection import layout_collection, offline_sanity_requirements, pip_bootstrap_standin  # noqa: E402
from docspace_harness.emulator import EmulatorProcess  # noqa: E402

antsibull_nox.load_antsibull_nox_toml()

nox.options.reuse_venv = "yes"
# uv (tests/requirements/nox.txt) makes and fills a virtualenv in seconds; virtualenv and pip if it is missing.
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = True

# The tested ansible-core releases, each with a controller Python it supports (2.17: 3.10-3.12, 2.19: 3.11-3.13,
# 2.21: 3.12-3.14, 2.22: 3.13-3.14). The list is the collection's own: its action plugins run a module in Ansible's
# worker only on these release series, so adding a release here is what enables that path on it.
CORES: dict[str, tuple[str, str]] = runpy.run_path(str(ROOT / "plugins" / "plugin_utils" / "_tested_cores.py"))["TESTED_CORES"]
# DEFAULT runs the suites that need only one core; NEWEST also runs the worker path's parity test of the system suite.
DEFAULT = "2.19"
NEWEST = max(CORES, key=lambda series: tuple(int(part) for part in series.split(".")))
DEFAULT_PYTHON = CORES[DEFAULT][1]

# What runs on each ansible-core of the matrix besides the default one.
SUITES = ("sanity", "units", "integration", "artifact")
# `make test`: cheap and default-core checks first, so that a broken change fails early; then the
# packaging gates and the other cores of the matrix.
TEST_SESSIONS = [
    "lint", "lint-harness", "extra-checks", "changelog",
    f"sanity-{DEFAULT}", f"units-{DEFAULT}", "emulator-tests", f"integration-{DEFAULT}", "system", f"system-{NEWEST}",
    "docs-check", "ansible-lint", f"artifact-{DEFAULT}", "packaging", "build-import-check", "ee",
    *(f"{suite}-{leg}" for leg in CORES if leg != DEFAULT for suite in SUITES),
]
# `make test` runs three lanes side by side on the 2-core CI machine: the checks on the default core, and the
# matrix of the other cores in two halves (with the default core's integration and the newest core's system
# tests). Much of a lane's time is waiting (test jobs, polls, installs), so a third lane fills the cores that
# two left idle about a third of the time. Together the lanes are TEST_SESSIONS.
# DOCSPACE_LANE=<lane> makes a lane what `nox` runs, so that nox still resolves each session's prerequisites.
OTHER_LEGS = [leg for leg in CORES if leg != DEFAULT]


def _legs(legs: list[str]) -> list[str]:
    return [f"{suite}-{leg}" for leg in legs for suite in SUITES]


MATRIX_LANES = {
    "matrix-a": [f"integration-{DEFAULT}", *_legs(OTHER_LEGS[: len(OTHER_LEGS) // 2]), f"system-{NEWEST}"],
    "matrix-b": _legs(OTHER_LEGS[len(OTHER_LEGS) // 2:]),
}
LANES = {"checks": [session for session in TEST_SESSIONS if not any(session in lane for lane in MATRIX_LANES.values())],
         **MATRIX_LANES}
nox.options.sessions = LANES[os.environ["DOCSPACE_LANE"]] if os.environ.get("DOCSPACE_LANE") else TEST_SESSIONS


def interpreter(version: str) -> str:
    """A working pythonX.Y: on PATH, else from pyenv, whose shims on PATH may refuse to run a version."""
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for candidate in (f"python{version}", *sorted(glob.glob(f"{pyenv}/versions/{version}.*/bin/python{version}"))):
        try:
            subprocess.run([candidate, "-c", "import sys"], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            continue
        return candidate
    return version  # nox reports it missing


def requirements(*names: str) -> list[str]:
    """pip arguments for tests/requirements/<name>.txt."""
    return [arg for name in names for arg in ("-r", str(REQUIREMENTS / f"{name}.txt"))]


def install_core(session: nox.Session, leg: str = DEFAULT, *extra: str) -> None:
    """The leg's pinned ansible-core with the test tools and the emulator (it runs in this venv)."""
    session.install(f"ansible-core=={CORES[leg][0]}", *requirements("test", "emulator", *extra))


def venv_python(session: nox.Session) -> str:
    """The session's interpreter, for processes the session starts itself."""
    return str(Path(session.bin) / "python")


@contextmanager
def collection_tree(session: nox.Session) -> Iterator[Path]:
    """This checkout as <tmp>/ansible_collections/onlyoffice/docspace, removed afterwards (KEEP_BUILD=1 keeps it)."""
    collection = layout_collection()
    collections_root = collection.parents[2]
    session.log(f"collection tree: {collection}")
    try:
        yield collection
    finally:
        if os.environ.get("KEEP_BUILD") != "1":
            shutil.rmtree(collections_root, ignore_errors=True)


def ansible_test(session: nox.Session, leg: str, command: str, *args: str) -> None:
    """ansible-test COMMAND --local on the leg's core and Python, in a fresh collection tree."""
    install_core(session, leg)
    ansible_test_dir = session.run("python", "-c", "import ansible_test, os; print(os.path.dirname(ansible_test.__file__))",
                                   silent=True)
    ansible_test_path = Path(str(ansible_test_dir).strip())
    standin = pip_bootstrap_standin(ansible_test_path)
    if standin:
        session.log(f"installed the offline pip bootstrap stand-in as {standin}")
    for replacement in offline_sanity_requirements(ansible_test_path):
        session.log(f"offline: {replacement}")
    with ExitStack() as stack:
        collection = stack.enter_context(collection_tree(session))
        if command == "integration":
            stack.enter_context(integration_emulators(session, collection))
        with session.chdir(collection):
            session.run("ansible-test", command, "--local", "--python", CORES[leg][1], "--color", "no",
                        *args, *session.posargs)


@contextmanager
def integration_emulators(session: nox.Session, collection: Path) -> Iterator[None]:
    """Two emulators, handed to the targets in integration_config.yml.

    HTTP: portals[0..7] DocSpace 3.7, each its own installation; portals[8] (portal9) DocSpace 3.0, login
    only; portals[9] and portals[10] one installation, sharing its test queue; portals[11] (portal12) for the
    start-up of role_smtp_ready. HTTPS: one portal.
    """
    python = venv_python(session)
    with EmulatorProcess("--portals", "8", "--portal", "version=3.0", "--portal", "installation=shared",
                         "--portal", "installation=shared", "--portal", "installation=starting", python=python) as http, \
            EmulatorProcess("--portals", "1", "--https", python=python) as https:
        config = {"docspace_emulator": http.info, "docspace_emulator_https": https.info}
        # JSON is YAML.
        (collection / "tests" / "integration" / "integration_config.yml").write_text(json.dumps(config, indent=1))
        yield


def add_matrix_sessions() -> None:
    """sanity-<leg>, units-<leg> and integration-<leg> for every supported ansible-core."""
    for leg, (core, python) in CORES.items():
        for suite, args in (("sanity", ()), ("units", ()), ("integration", ("--continue-on-error",))):
            def run(session: nox.Session, leg: str = leg, suite: str = suite, args: tuple[str, ...] = args) -> None:
                ansible_test(session, leg, suite, *args)
            run.__doc__ = f"ansible-test {suite} --local, ansible-core {core}, Python {python}"
            nox.session(name=f"{suite}-{leg}", python=interpreter(python), tags=[suite, "matrix"] if leg != DEFAULT else [suite])(run)


add_matrix_sessions()


@nox.session(name="emulator-tests", python=DEFAULT_PYTHON)
def emulator_tests(session: nox.Session) -> None:
    """The portal emulator's own pytest suite (tests/emulator/tests)."""
    session.install(*requirements("emulator"))
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/emulator/tests", *session.posargs,
                env={"PYTHONPATH": str(ROOT / "tests" / "emulator")})


def run_system_suite(session: nox.Session, leg: str, *tests: str) -> None:
    """pytest over tests/system (or the given files of it) on the leg's ansible-core, from a collection tree."""
    install_core(session, leg)
    with collection_tree(session) as collection, session.chdir(collection):
        # -rs: a skipped test (no browser, no live portal configured) says why in the summary.
        session.run("python", "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *(tests or ("tests/system",)),
                    *session.posargs,
                    env={"PYTHONPATH": os.pathsep.join(str(collection / "tests" / sub) for sub in ("emulator", "."))})


@nox.session(python=DEFAULT_PYTHON)
def system(session: nox.Session) -> None:
    """ansible-playbook runs against the emulator (pytest, tests/system), from a collection tree."""
    run_system_suite(session, DEFAULT)


# What the newest core runs of the system suite: the worker path against the shipped module (results, messages,
# warnings, diffs, check mode, masking), the secret search over every output, -vvv and the reports, and the users'
# journeys (README layout, export, AWX's runner), as a user on the newest release would meet them.
NEWEST_SYSTEM_TESTS = ("tests/system/test_in_process_parity.py", "tests/system/test_secrets.py", "tests/system/test_journeys.py")


@nox.session(name=f"system-{NEWEST}", python=interpreter(CORES[NEWEST][1]), tags=["matrix"])
def system_newest(session: nox.Session) -> None:
    """The system suite's parity test of the two paths and its secret search, on the newest tested ansible-core."""
    run_system_suite(session, NEWEST, *NEWEST_SYSTEM_TESTS)


HARNESS_CODE = ("noxfile.py", "tests/docspace_harness", "tests/emulator", "tests/system", "tests/packaging", "bench", "demo")


@nox.session(name="lint-harness", python=DEFAULT_PYTHON)
def lint_harness(session: nox.Session) -> None:
    """ruff check and mypy over the harness (antsibull-nox's lint covers plugins and tests/unit)."""
    install_core(session, DEFAULT, "ruff", "typing", "bench", "nox")
    session.run("ruff", "check", "--config", "ruff.toml", *HARNESS_CODE)
    # Each directory has its own import roots (the emulator's package, each suite's conftest module), so
    # mypy checks them one by one.
    roots = {"tests/emulator": ("tests/emulator", "tests/emulator/tests"), "tests/system": ("tests/emulator", "tests/system"),
             "bench": ("bench", "tests/system"), "demo": ("demo",)}
    for target in HARNESS_CODE:
        mypy_path = os.pathsep.join(str(ROOT / sub) for sub in ("tests", *roots.get(target, ())))
        session.run("mypy", "--config-file", "mypy.ini", "--explicit-package-bases", target, env={"MYPYPATH": mypy_path})


def gate(session: nox.Session, name: str, *args: str) -> None:
    """Run tests/docspace_harness/gates.py NAME on a fresh collection tree, in the gates environment."""
    session.install(*requirements("gates"))
    with collection_tree(session) as collection:
        session.run("python", str(ROOT / "tests" / "docspace_harness" / "gates.py"), name, str(collection), *args,
                    env={"ANSIBLE_NOCOLOR": "1", "ANSIBLE_HOME": str(collection.parents[2] / "ansible-home")})


@nox.session(python=DEFAULT_PYTHON, tags=["gates"])
def changelog(session: nox.Session) -> None:
    """antsibull-changelog lint; version_added set; changelog.yaml and CHANGELOG.md up to date."""
    gate(session, "changelog")


@nox.session(name="changelog-update", python=DEFAULT_PYTHON, default=False)
def changelog_update(session: nox.Session) -> None:
    """Rewrite changelogs/changelog.yaml and CHANGELOG.md from the fragments (CHANGELOG_DATE=YYYY-MM-DD)."""
    gate(session, "changelog-update", str(ROOT))


def _artifact_session(leg: str) -> None:
    def artifact(session: nox.Session) -> None:
        # This core's own ansible-galaxy and ansible-doc; the gate needs nothing else (PyYAML comes with it).
        session.install(f"ansible-core=={CORES[leg][0]}")
        with collection_tree(session) as collection:
            session.run("python", str(ROOT / "tests" / "docspace_harness" / "gates.py"), "artifact", str(collection),
                        env={"ANSIBLE_NOCOLOR": "1", "ANSIBLE_HOME": str(collection.parents[2] / "ansible-home")})
    artifact.__doc__ = (f"Build the artifact with ansible-core {CORES[leg][0]}, install it into an empty path and "
                        "ansible-doc every module, plugin and role from there.")
    nox.session(name=f"artifact-{leg}", python=interpreter(CORES[leg][1]), tags=["gates"])(artifact)


for _leg in CORES:
    _artifact_session(_leg)


@nox.session(python=DEFAULT_PYTHON, tags=["gates"])
def packaging(session: nox.Session) -> None:
    """The artifact and its licensing: COPYING, file list, reuse lint (pytest, tests/packaging)."""
    session.install(*requirements("ansible-core", "packaging"))
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/packaging", *session.posargs)


@nox.session(name="build-import-check", python=DEFAULT_PYTHON, tags=["gates"])
def build_import_check(session: nox.Session) -> None:
    """Build the artifact and run galaxy-importer on it (gates.py gate_importer says why not antsibull-nox's)."""
    session.install(*requirements("gates", "importer"))
    gate(session, "importer")


@nox.session(python=DEFAULT_PYTHON, tags=["gates"])
def ee(session: nox.Session) -> None:
    """ansible-builder introspect and create for an EE with the artifact (antsibull-nox's ee-check needs containers)."""
    gate(session, "ee")


@nox.session(python=DEFAULT_PYTHON, default=False)
def demo(session: nox.Session) -> None:
    """The role against three emulated portals: test mails, a re-run, a --check --diff audit of drift."""
    install_core(session)
    with collection_tree(session) as collection:
        session.run("python", str(ROOT / "demo" / "run_demo.py"), str(collection))


@nox.session(python=DEFAULT_PYTHON, default=False)
def emulator(session: nox.Session) -> None:
    """The portal emulator in the foreground (Ctrl-C or SIGTERM stops it); arguments go to it (default --portals 3).

    When it stops, the inventory (it holds the API keys), the collection copy and the emulator's files go, and
    DOCSPACE_EMULATOR_DIR itself if this created it (EmulatorProcess).
    """
    install_core(session)
    workdir = Path(os.environ.get("DOCSPACE_EMULATOR_DIR", "/tmp/docspace-emulator"))
    with EmulatorProcess(*(session.posargs or ["--portals", "3"]), python=venv_python(session), workdir=workdir,
                         foreground=True) as process:
        # The checkout as an installed collection, for playbooks in another terminal. After the start: an
        # emulator already running in workdir keeps its copy (ours refused to start).
        process.remove_on_exit(workdir / "ansible_collections")
        layout_collection(workdir)
        inventory = process.remove_on_exit(workdir / "inventory.yml")
        tool = [str(ROOT / "demo" / "emulator_tool.py")]
        session.run("python", *tool, "inventory", str(process.info_file), str(inventory), silent=True)
        session.run("python", *tool, "describe", str(process.info_file), str(inventory))
        print(f"The collection from this checkout, for playbooks run in another terminal:\n"
              f"  source {session.bin}/activate; export ANSIBLE_COLLECTIONS_PATH={workdir}")
        try:
            process.wait()
        except KeyboardInterrupt:
            pass


@nox.session(python=DEFAULT_PYTHON, default=False)
def mutation(session: nox.Session) -> None:
    """cosmic-ray over the settings model, the advisories, the test wait and the client's rules, with the unit
    tests that judge each (tests/docspace_harness/mutation.py; arguments: target names). Slow, not in make test."""
    install_core(session, DEFAULT, "mutation")
    with collection_tree(session) as collection:
        session.run("python", str(ROOT / "tests" / "docspace_harness" / "mutation.py"), str(collection),
                    str(Path(session.create_tmp()) / "mutation"), *session.posargs)


@nox.session(name="bench-cores", python=DEFAULT_PYTHON, default=False)
def bench_cores(session: nox.Session) -> None:
    """bench/in_process.py on the default and the newest tested ansible-core side by side (arguments go to it)."""
    install_core(session, DEFAULT, "bench")
    # The newest core needs its own Python (2.22: 3.13), so it gets a virtualenv of its own beside this session's.
    newest = Path(session.virtualenv.location) / f"core-{NEWEST}"
    if not (newest / "bin" / "python").exists():
        session.run(interpreter(CORES[NEWEST][1]), "-m", "venv", str(newest), external=True)
    session.run(str(newest / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                f"ansible-core=={CORES[NEWEST][0]}", *requirements("test"), external=True)
    with collection_tree(session) as collection:
        session.run("python", str(ROOT / "bench" / "in_process.py"), "--collections-root", str(collection.parents[2]),
                    "--core", str(newest / "bin" / "python"), *(session.posargs or ("--portals", "100")))


@nox.session(python=DEFAULT_PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """The benchmark (bench/run_bench.py; arguments go to it, e.g. --quick)."""
    install_core(session, DEFAULT, "bench")
    with collection_tree(session) as collection:
        session.run("python", str(ROOT / "bench" / "run_bench.py"), "--collections-root", str(collection.parents[2]),
                    *session.posargs)
