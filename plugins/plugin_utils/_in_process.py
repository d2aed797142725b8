# -*- coding: utf-8 -*-
# Copyright (c) onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE to the onlyoffice.docspace collection; it may change without notice.

"""Run a collection module inside Ansible's own worker process when the task runs on the controller.

Starting a module process costs ~300 ms of CPU per task, against a few milliseconds for the HTTP call the
module makes; over hundreds of portals that start-up is most of a run. The action plugins of this collection
therefore run the module's own code in the worker, the way the AnsiballZ wrapper runs it on a target:
the arguments are built by ActionBase exactly as for a shipped module, encoded with the same serialization
profile, handed to the module through ansible.module_utils.basic, the module's main() runs as __main__, and
its printed JSON is parsed by ActionBase._parse_returned_data. Parity with the shipped module therefore
comes from running the same code, not from copying its checks.

Those steps are private interfaces of ansible-core, borrowed rather than owned (style.md 21): the path runs
only on a release series the collection is tested with (plugin_utils/_tested_cores.py, the list the test
matrix is built from), and only after core_mismatch() has found every private name it calls, with the
parameters it passes. Otherwise the module is shipped as by ansible-core itself, with one line at -vvv
that says why, so that a newer ansible-core never turns a working module into a failing task.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import io
import json
import locale
import os
import runpy
import signal
import sys
import traceback
from typing import Any, Callable, Iterator

from ansible.module_utils import basic
from ansible.module_utils.ansible_release import __version__ as CORE_VERSION
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.plugins.action.normal import ActionModule as NormalActionModule
from ansible.utils.display import Display

from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _from_variables, _templating
from ansible_collections.onlyoffice.docspace.plugins.plugin_utils._tested_cores import TESTED_CORES, release_series

try:  # ansible-core 2.17 and 2.19; 2.21 parses a module's answer into a UnifiedTaskResult that cleans itself
    from ansible.vars.clean import remove_internal_keys
except ImportError:
    remove_internal_keys = None
try:  # ansible-core 2.21 and later
    from ansible._internal._task import UnifiedTaskResult
except ImportError:
    UnifiedTaskResult = None
try:  # ansible-core 2.22 and later: the controller hands the module the secrets its arguments contain
    from ansible.module_utils import secrets as core_secrets
except ImportError:
    core_secrets = None

try:  # ansible-core 2.19 and later: data tagging, serialization profiles and the AnsiballZ loader
    from ansible.module_utils import _internal as module_internal
    from ansible.module_utils._internal import _traceback
    from ansible.module_utils._internal._ansiballz import _loader
    from ansible.module_utils.common.json import Direction, get_module_decoder, get_module_encoder
except ImportError:  # ansible-core 2.17 and 2.18
    module_internal = _traceback = _loader = Direction = get_module_decoder = get_module_encoder = None
    from ansible.module_utils.common.json import AnsibleJSONEncoder
else:
    AnsibleJSONEncoder = None

display = Display()

SWITCH = "DOCSPACE_IN_PROCESS"
COLLECTION_MODULES = "ansible_collections.onlyoffice.docspace.plugins.modules"
# Our modules declare no METADATA, so ansible-core 2.19+ ships them with the 'legacy' profile
# (executor/module_common.py, _DEFAULT_LEGACY_METADATA).
SERIALIZATION_PROFILE = "legacy"
LOCAL_TRANSPORTS = frozenset(("local",))
# What the modules import: requests alone takes ~50 ms to import, the settings model ~4 ms (its regular
# expressions and dataclasses), per worker that imports them.
MODULE_UTILS_PACKAGE = "ansible_collections.onlyoffice.docspace.plugins.module_utils"
MODULE_UTILS = tuple(f"{MODULE_UTILS_PACKAGE}.{name}" for name in (
    "_advisories", "_client", "_diagnose", "_envelope", "_errors", "_module", "_names", "_ready", "_secrets",
    "_smtp_settings", "_smtp_test", "_transport", "_urls"))

# The keyword arguments the AnsiballZ wrapper passes to ansible-core's module loader, as the tested releases
# take them: 2.19 and 2.21, and 2.22, which added the secrets found in the arguments.
LOADER_PARAMETERS = (
    ("json_params", "profile", "module_fqn", "modlib_path", "extensions", "init_globals"),
    ("json_params", "profile", "module_fqn", "modlib_path", "extensions", "secrets", "init_globals"),
)
LOADER_NAME = "ansible.module_utils._internal._ansiballz._loader.run_module"


class CoreMismatch(Exception):
    """This ansible-core is not one the worker path was tested with, or lacks a private interface it calls."""


def _parameters(function: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(name for name in inspect.signature(function).parameters if name != "self")


def _expect_parameters(label: str, function: Any, *accepted: tuple[str, ...]) -> tuple[str, ...]:
    """The parameters of function, when they are one of the accepted lists; else CoreMismatch in words."""
    if not callable(function):
        raise CoreMismatch(f"{label}() is missing")
    found = _parameters(function)
    if found not in accepted:
        expected = " or ".join(f"({', '.join(names)})" for names in accepted)
        raise CoreMismatch(f"{label}() takes ({', '.join(found)}) where the tested releases take {expected}")
    return found


def _expect_attributes(owner: Any, label: str, *names: str) -> None:
    missing = [name for name in names if not hasattr(owner, name)]
    if missing:
        raise CoreMismatch(f"{label} has no {', '.join(missing)}")


def _check_interfaces() -> tuple[str, ...]:
    """Every private name the worker path uses, with the parameters it passes: CoreMismatch for the first that differs.

    Returns the parameters of ansible-core's module loader (none on 2.17, which has no loader), which say how
    _invoke() calls it.
    """
    _expect_parameters("ActionBase._update_module_args", ActionBase._update_module_args,
                       ("module_name", "module_args", "task_vars", "ignore_unknown_opts"))
    _expect_parameters("ActionBase._compute_environment_string", ActionBase._compute_environment_string,
                       ("raw_environment_out",))
    _expect_attributes(basic, "ansible.module_utils.basic", "_ANSIBLE_ARGS")
    for store in ("_global_warnings", "_global_deprecations"):
        if not isinstance(getattr(module_warnings, store, None), (list, dict)):
            raise CoreMismatch(f"ansible.module_utils.common.warnings.{store} is not a list or a dict")
    if _loader is None:  # the 2.17 way: runpy with the arguments in basic._ANSIBLE_ARGS
        _expect_parameters("ActionBase._parse_returned_data", ActionBase._parse_returned_data, ("res",))
        _expect_parameters("ansible.vars.clean.remove_internal_keys", remove_internal_keys, ("data",))
        return ()
    found = _expect_parameters(LOADER_NAME, _loader.run_module, *LOADER_PARAMETERS)
    if "secrets" in found and not callable(getattr(getattr(core_secrets, "_secret_masker", None), "secrets_in_json", None)):
        raise CoreMismatch("ansible.module_utils.secrets._secret_masker.secrets_in_json() is missing")
    _expect_parameters("ActionBase._parse_returned_data", ActionBase._parse_returned_data, ("res", "profile"))
    _expect_attributes(basic, "ansible.module_utils.basic", "_ANSIBLE_PROFILE", "_PARSED_MODULE_ARGS")
    _expect_attributes(module_internal, "ansible.module_utils._internal", "is_controller")
    _expect_attributes(_traceback, "ansible.module_utils._internal._traceback", "_is_traceback_enabled",
                       "_is_module_traceback_enabled", "_module_tracebacks_enabled_events")
    if remove_internal_keys is not None:  # 2.19
        _expect_parameters("ansible.vars.clean.remove_internal_keys", remove_internal_keys, ("data",))
        return found
    if UnifiedTaskResult is None:
        raise CoreMismatch("ansible._internal._task.UnifiedTaskResult is missing")
    _expect_parameters("UnifiedTaskResult.remove_internal_keys", UnifiedTaskResult.remove_internal_keys, ())
    if "for_round_trip" not in _parameters(UnifiedTaskResult.as_result_dict):
        raise CoreMismatch("UnifiedTaskResult.as_result_dict() takes no for_round_trip")
    return found


@functools.cache
def _core_fit(version: str) -> tuple[str | None, tuple[str, ...]]:
    """(why the worker path is off, or None; the loader's parameters) for the installed ansible-core."""
    if release_series(version) not in TESTED_CORES:
        return f"ansible-core {version} is not among the tested releases ({', '.join(TESTED_CORES)})", ()
    try:
        return None, _check_interfaces()
    except CoreMismatch as mismatch:
        return f"ansible-core {version}: {mismatch}", ()
    except Exception as error:  # pylint: disable=broad-except  # inspect fails on what it cannot read
        return f"ansible-core {version}: its private interfaces could not be checked ({error.__class__.__name__}: {error})", ()


def core_mismatch(version: str | None = None) -> str | None:
    """Why the installed ansible-core cannot run modules in the worker, or None when it can.

    `version` stands in for the installed release's number (tests); the interfaces checked are always those
    of the installed ansible-core. Checked once per process, before any task sends anything: preload() calls
    it in Ansible's main process, so that forked workers inherit the answer.
    """
    return _core_fit(version or CORE_VERSION)[0]


def preload(module_utils: tuple[str, ...] = MODULE_UTILS) -> None:
    """Import once, in the process that loads the action plugin, what each task would otherwise import again.

    ansible-core's strategy loads the action class in the main process before it forks a worker per task and
    host, so what is imported here is imported once per run rather than once per task. Not the module files
    themselves: runpy warns when the module it runs as __main__ is already imported under its own name.
    Then the client's first-request set-up, sending nothing (plugin_utils/_warm_up.py). Where the worker path
    is off for this ansible-core (core_mismatch), only the first template (plugin_utils/_templating.py): a
    shipped module imports what it needs in its own process.
    """
    try:
        _templating.warm_up()  # either path: the workers render the tasks' templates either way
    except Exception:  # pylint: disable=broad-except  # a task's own templates report any problem
        pass
    if core_mismatch() is not None:
        return
    for name in module_utils:
        try:
            importlib.import_module(name)
        except Exception:  # pylint: disable=broad-except  # the module itself reports a broken import
            pass
    try:
        # Imported here, not at the top: it imports the client and requests, which a run without the worker
        # path never needs in the controller. warm_up() does the first request's set-up without sending
        # anything (~2 ms of each task otherwise).
        from ansible_collections.onlyoffice.docspace.plugins.plugin_utils import _warm_up  # pylint: disable=import-outside-toplevel
        _warm_up.warm_up()
    except Exception:  # pylint: disable=broad-except  # a task that fails the same way says why
        pass
    if get_module_encoder is not None:
        # ansible-core 2.19+ imports a serialization profile (a module of dataclasses) on its first use:
        # the arguments' encoding, the module's decoding and its answer's, ~2 ms a task.
        for direction in Direction:
            get_module_encoder(SERIALIZATION_PROFILE, direction)
            get_module_decoder(SERIALIZATION_PROFILE, direction)


def in_process_enabled(environ: dict[str, str] | None = None) -> bool:
    """False when the controller's environment turns the in-process path off (DOCSPACE_IN_PROCESS=false)."""
    value = (os.environ if environ is None else environ).get(SWITCH, "").strip()
    if not value:
        return True
    try:
        return boolean(value, strict=True)
    except TypeError:
        display.warning(f"{SWITCH}={value!r} is not a boolean; the modules run in the worker as by default. "
                        f"Set {SWITCH}=false to ship them as module processes.")
        return True


def encode_module_args(module_args: dict[str, Any]) -> bytes:
    """The JSON the AnsiballZ wrapper embeds for the module, encoded as that ansible-core encodes it."""
    params = {"ANSIBLE_MODULE_ARGS": module_args}
    if get_module_encoder is not None:
        return json.dumps(params, cls=get_module_encoder(SERIALIZATION_PROFILE, Direction.CONTROLLER_TO_MODULE)).encode()
    return json.dumps(params, cls=AnsibleJSONEncoder, vault_to_text=True).encode()


@contextlib.contextmanager
def _restored(target: Any, *names: str) -> Iterator[None]:
    """Put back the given attributes of target on the way out."""
    saved = {name: getattr(target, name) for name in names if hasattr(target, name)}
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(target, name, value)


@contextlib.contextmanager
def _emptied(*collections: Any) -> Iterator[None]:
    """Run with the module-side warning stores empty (a module reports only its own warnings), then refill them."""
    saved = [collection.copy() for collection in collections]
    for collection in collections:
        collection.clear()
    try:
        yield
    finally:
        for collection, content in zip(collections, saved):
            collection.clear()
            collection.update(content) if isinstance(collection, dict) else collection.extend(content)


@contextlib.contextmanager
def _environment(environment: dict[str, str]) -> Iterator[None]:
    """The worker's environment plus the task's `environment:`, as the module process would get it.

    Only the variables that differ afterwards are put back: setting every variable again costs a freshly
    forked worker ~0.5 ms, as it writes to every page the inherited environment lives in.
    """
    saved = dict(os.environ)
    os.environ.update({str(name): str(value) for name, value in environment.items()})
    try:
        yield
    finally:
        for name in [name for name in os.environ if name not in saved]:
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


@contextlib.contextmanager
def _process_state() -> Iterator[None]:
    """Keep what AnsibleModule changes in its process (locale, cwd) from outliving the task in this worker.

    Workers are forked per task and host, but one worker runs all items of a loop and evaluates the task's
    conditionals after the module returns.
    """
    cwd = os.getcwd()
    saved_locale = locale.setlocale(locale.LC_ALL)
    # ansible-core 2.22's AnsibleModule installs a SIGUSR1 handler that writes a stack trace to the temporary
    # directory; the worker has its own, which writes into the run's stack trace directory.
    saved_handler = signal.getsignal(signal.SIGUSR1)
    try:
        yield
    finally:
        if saved_handler is not None:  # None: a handler not set from Python, which Python cannot put back
            signal.signal(signal.SIGUSR1, saved_handler)
        locale.setlocale(locale.LC_ALL, saved_locale)
        os.chdir(cwd)


@contextlib.contextmanager
def _target_side() -> Iterator[None]:
    """Make module_utils behave as on a target: warnings go into the result rather than to the controller's display.

    ansible-core 2.19+ switches module_utils to controller behaviour when it is imported on the controller
    (module_utils/_internal.is_controller); the AnsiballZ wrapper never sees that switch.
    """
    if module_internal is None:
        yield
        return
    with _restored(module_internal, "is_controller"), \
            _restored(_traceback, "_is_traceback_enabled", "_module_tracebacks_enabled_events"):
        module_internal.is_controller = False
        _traceback._is_traceback_enabled = _traceback._is_module_traceback_enabled
        _traceback._module_tracebacks_enabled_events = None
        yield


def run_module(module_fqn: str, json_params: bytes, environment: dict[str, str]) -> dict[str, Any]:
    """Run the module as the AnsiballZ wrapper does and return what its process would: rc, stdout and stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    rc = 0
    stores = (module_warnings._global_warnings, module_warnings._global_deprecations)
    with _environment(environment), _process_state(), _emptied(*stores), _target_side(), \
            _restored(basic, "_ANSIBLE_ARGS", "_ANSIBLE_PROFILE", "_PARSED_MODULE_ARGS"), \
            _restored(sys, "argv"), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            _invoke(module_fqn, json_params)
        except SystemExit as exit_:
            rc = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        except Exception:  # the wrapper's interpreter prints an uncaught exception to stderr and exits 1
            traceback.print_exc(file=stderr)
            rc = 1
    return {"rc": rc, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}


def _invoke(module_fqn: str, json_params: bytes) -> None:
    """The AnsiballZ wrapper's own call: ansible-core's module loader (2.19+) or runpy as the 2.17 wrapper uses it."""
    init_globals = {"_module_fqn": module_fqn, "_modlib_path": None}
    if _loader is not None:
        # 2.22+: the secrets the arguments hold, as executor/module_common.py finds them for the wrapper
        secrets = ({"secrets": core_secrets._secret_masker.secrets_in_json(json_params.decode())}
                   if "secrets" in _core_fit(CORE_VERSION)[1] else {})
        _loader.run_module(json_params=json_params, profile=SERIALIZATION_PROFILE, module_fqn=module_fqn,
                           modlib_path="", extensions={}, init_globals=init_globals, **secrets)
        return
    basic._ANSIBLE_ARGS = json_params
    runpy.run_module(mod_name=module_fqn, init_globals=init_globals, run_name="__main__", alter_sys=True)
    raise RuntimeError("New-style module did not handle its own exit.")


class DocSpaceAction(NormalActionModule):
    """The generic module action, running the collection's module in the worker when the task is on the controller."""

    # The module file of plugins/modules/ this action runs; set by each action plugin.
    module: str = ""
    # The package the module file is in; only the benchmark's reference module (bench/reference) sets another.
    modules_package: str = COLLECTION_MODULES

    def run(self, tmp: Any = None, task_vars: Any = None) -> Any:
        """The module's task, with the options its from_variables names taken from their variables first."""
        mapping = _from_variables.mapping_of(self._task.args)
        if mapping:
            _from_variables.take(mapping, self._task.args, task_vars or {}, self._templar)
        return super().run(tmp, task_vars)

    def runs_in_process(self, module_name: str | None, wrap_async: bool) -> bool:
        """True for this module's own task on the local connection, without async or become."""
        return (
            module_name is None
            and not wrap_async
            and not self._task.async_val
            and getattr(self._connection, "transport", None) in LOCAL_TRANSPORTS
            # become runs the module as another user: only a process can do that
            and not self._play_context.become
            and in_process_enabled()
        )

    def _execute_module(self, module_name=None, module_args=None, tmp=None, task_vars=None, persist_files=False,
                        delete_remote_tmp=None, wrap_async=False, **kwargs):
        """ActionBase._execute_module, with the module run in this process where that gives the same result."""
        if self.runs_in_process(module_name, wrap_async) and module_args is None and not kwargs:
            mismatch = core_mismatch()
            if mismatch is None:
                return self._execute_in_process(task_vars or {})
            display.vvv(f"in-process path off: {mismatch}; {self.module} is shipped as a module process")
        return super()._execute_module(module_name=module_name, module_args=module_args, tmp=tmp,
                                       task_vars=task_vars, persist_files=persist_files,
                                       delete_remote_tmp=delete_remote_tmp, wrap_async=wrap_async, **kwargs)

    def _execute_in_process(self, task_vars: dict[str, Any]) -> dict[str, Any]:
        """The steps of ActionBase._execute_module that concern the module's input and output, in order."""
        module_args = self._task.args
        self._update_module_args(self._task.action, module_args, task_vars)
        environment: dict[str, str] = {}
        self._compute_environment_string(environment)
        display.vvv(f"Running module {self.module} in the worker process (set {SWITCH}=false to ship it)")
        res = run_module(f"{self.modules_package}.{self.module}", encode_module_args(module_args), environment)
        parsed = self._parse_result(res)
        if remove_internal_keys is None:  # ansible-core 2.21+: the steps ActionBase._execute_module takes there
            parsed.remove_internal_keys()
            return parsed.as_result_dict(for_round_trip=True)
        parsed.pop("_ansible_suppress_tmpdir_delete", None)
        remove_internal_keys(parsed)
        return parsed

    def _parse_result(self, res: dict[str, Any]) -> Any:
        """ActionBase._parse_returned_data of this ansible-core (2.19 added the serialization profile)."""
        if _loader is not None:
            return self._parse_returned_data(res, SERIALIZATION_PROFILE)
        return self._parse_returned_data(res)
