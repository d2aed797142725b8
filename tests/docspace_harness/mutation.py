# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Mutation testing of the pure model and the client's rules with cosmic-ray (`nox -s mutation`).

Each target is a module_utils file, the unit tests that should catch its mutants, and (for the client) the
functions whose rules count: the wording of statuses and transport failures, retries, base_url checks, secret
masking and JSON hardening. The rest of the client (its I/O seams) is left out. cosmic-ray mutates the file in
the collection tree it is given (never the checkout), runs the tests once per mutant and records the outcome in
a session database; this script prints each target's score and its surviving mutants.

    python tests/docspace_harness/mutation.py COLLECTION_DIR WORK_DIR [TARGET ...]
"""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

UNIT = "tests/unit/plugins"


@dataclass(frozen=True)
class Target:
    """A file to mutate, the tests that judge its mutants, and the functions to mutate (all when empty)."""

    name: str
    path: str
    tests: tuple[str, ...]
    scope: tuple[str, ...] = ()


# The unit tests of the client and the files it stands on, one a concern.
CLIENT_TESTS = tuple(f"{UNIT}/module_utils/test_{concern}.py"
                     for concern in ("client", "diagnose", "envelope", "errors", "secrets", "transport", "urls"))
TARGETS = (
    Target("model", "plugins/module_utils/_smtp_settings.py",
           (f"{UNIT}/module_utils/test_smtp_settings_model.py", f"{UNIT}/modules/test_smtp_settings.py")),
    Target("advisories", "plugins/module_utils/_advisories.py", (f"{UNIT}/module_utils/test_advisories.py",
                                                                 f"{UNIT}/module_utils/test_smtp_test_wait.py")),
    Target("test-wait", "plugins/module_utils/_smtp_test.py",
           (f"{UNIT}/module_utils/test_smtp_test_wait.py", f"{UNIT}/modules/test_smtp_test.py")),
    # The client's rules that decide rather than word: what is masked, what JSON and which base_url are
    # refused, when a request is repeated; each file judged by the client's unit tests, as one file was. Its
    # wording (status hints, transport failures) has example tests of its own and would triple the run.
    Target("client-secrets", "plugins/module_utils/_secrets.py", CLIENT_TESTS,
           ("Secrets", "secret_forms", "_encodings", "_common_prefix_length")),
    Target("client-urls", "plugins/module_utils/_urls.py", CLIENT_TESTS, ("base_url_problem", "is_loopback")),
    Target("client-envelope", "plugins/module_utils/_envelope.py", CLIENT_TESTS,
           ("parse_json", "_finite_float", "_nesting_depth", "retry_after_seconds")),
    Target("client-rules", "plugins/module_utils/_client.py", CLIENT_TESTS, ("DocSpaceClient._retry_wait",)),
)


def line_ranges(source: str, scope: tuple[str, ...]) -> list[str]:
    """The line ranges ("start-end") of the named top-level functions and classes, or Class.method."""
    found: dict[str, str] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            continue
        if node.name in scope:
            found[node.name] = f"{node.lineno}-{node.end_lineno}"
        elif isinstance(node, ast.ClassDef):
            found.update({f"{node.name}.{item.name}": f"{item.lineno}-{item.end_lineno}" for item in node.body
                          if isinstance(item, ast.FunctionDef) and f"{node.name}.{item.name}" in scope})
    missing = sorted(set(scope) - set(found))
    if missing:
        raise SystemExit(f"the mutation scope names functions that are not in the file: {', '.join(missing)}")
    return [found[name] for name in scope]


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the file's type annotations are, as ((line, column), (end line, end column))."""
    annotations: list[ast.expr | None] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            annotations.append(node.returns)
            every_argument = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg,
                              arguments.kwarg)
            annotations += [argument.annotation for argument in every_argument if argument is not None]
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
    return [((node.lineno, node.col_offset), (node.end_lineno or node.lineno, node.end_col_offset or 0))
            for node in annotations if node is not None]


def skip_annotations(session: Path, source: str) -> int:
    """Mark the mutants that change only a type annotation as skipped; returns how many.

    With `from __future__ import annotations` (every file here) annotations are never evaluated, so such a
    mutant (`str | None` -> `str * None`) cannot change behaviour and would only pad the survivors.
    """
    # pylint: disable-next=import-outside-toplevel  # cosmic-ray is in the mutation session's virtualenv only
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult  # pylint: disable=import-outside-toplevel

    spans = annotation_spans(source)
    with use_db(str(session), WorkDB.Mode.open) as db:
        skipped = [item.job_id for item in db.pending_work_items
                   if all(any(start <= tuple(mutation.start_pos) and tuple(mutation.end_pos) <= end for start, end in spans)
                          for mutation in item.mutations)]
        if skipped:
            db.set_multiple_results(skipped, WorkResult(output="a type annotation only",
                                                        worker_outcome=WorkerOutcome.SKIPPED))
    return len(skipped)


def config(target: Target, collection: Path) -> str:
    """The cosmic-ray configuration of one target, as TOML."""
    tests = " ".join(target.tests)
    lines = ""
    if target.scope:
        specs = ", ".join(f'"{spec}"' for spec in line_ranges((collection / target.path).read_text(), target.scope))
        lines = f'\n[cosmic-ray.filters.line-filter.lines]\n"{target.path}" = [{specs}]\n'
    return (f'[cosmic-ray]\nmodule-path = "{target.path}"\ntimeout = 120.0\nexcluded-modules = []\n'
            f'test-command = "{sys.executable} -m pytest -x -q -p no:cacheprovider -p no:randomly {tests}"\n'
            f'\n[cosmic-ray.distributor]\nname = "local"\n{lines}')


@dataclass
class Score:
    """A target's outcome: mutants the tests killed, those whose tests crashed or timed out, the survivors."""

    killed: int
    crashed: int
    survivors: list[tuple[str, int, str]]  # (operator, line, diff)

    @property
    def judged(self) -> int:
        return self.killed + self.crashed + len(self.survivors)


def outcomes(session: Path) -> Score:
    """The session's results; a mutant cosmic-ray skipped (outside the scope) does not count."""
    with sqlite3.connect(session) as db:
        rows = db.execute("SELECT m.operator_name, m.start_pos_row, r.diff, r.test_outcome, r.worker_outcome "
                          "FROM mutation_specs m JOIN work_results r ON m.job_id = r.job_id").fetchall()
    judged = [row for row in rows if str(row[4]).lower() != "skipped"]
    normal = [row for row in judged if str(row[4]).lower() == "normal"]
    survivors = [(row[0], row[1], row[2] or "") for row in normal if str(row[3]).lower() == "survived"]
    return Score(len(normal) - len(survivors), len(judged) - len(normal), survivors)


def run(target: Target, collection: Path, work: Path) -> Score:
    """Check that the tests pass unmutated (else every mutant would look killed), then initialise, filter and
    execute one target's session in the collection tree."""
    work.mkdir(parents=True, exist_ok=True)
    config_file, session = work / f"{target.name}.toml", work / f"{target.name}.sqlite"
    config_file.write_text(config(target, collection))
    session.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(collection.parents[2])}
    bin_dir = Path(sys.executable).parent
    steps = [[str(bin_dir / "cosmic-ray"), "baseline", str(config_file)],
             [str(bin_dir / "cosmic-ray"), "init", str(config_file), str(session)]]
    if target.scope:
        steps.append([str(bin_dir / "cr-filter-lines"), "--config", str(config_file), str(session)])
    for step in steps:
        subprocess.run(step, cwd=collection, env=env, check=True)
    print(f"{target.name}: {skip_annotations(session, (collection / target.path).read_text())} mutants of type "
          "annotations only, skipped")
    subprocess.run([str(bin_dir / "cosmic-ray"), "exec", str(config_file), str(session)], cwd=collection, env=env,
                   check=True)
    return outcomes(session)


def main() -> int:
    """Run the targets (all, or those named), print each score and the surviving mutants."""
    collection, work = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    chosen = [target for target in TARGETS if not sys.argv[3:] or target.name in sys.argv[3:]]
    scores = []
    for target in chosen:
        score = run(target, collection, work)
        scores.append(score)
        caught = score.killed + score.crashed
        print(f"\n{target.name} ({target.path}): {caught} of {score.judged} mutants caught "
              f"({caught / max(score.judged, 1):.1%}; {score.crashed} of them by a crash or timeout of the tests)")
        for operator, line, diff in score.survivors:
            changed = [text for text in diff.splitlines() if text.startswith(("-", "+")) and not text.startswith(("---", "+++"))]
            print(f"  survived: line {line} {operator}: {' / '.join(changed)[:200]}")
    caught, judged = sum(s.killed + s.crashed for s in scores), sum(s.judged for s in scores)
    print(f"\nmutation score: {caught} of {judged} mutants caught ({caught / max(judged, 1):.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
