"""Starting and stopping: Python API, HTTPS with a CA file, the command line with its info file."""

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import pytest
import requests

from conftest import SMTP, Api

from docspace_emulator import Emulator
from docspace_emulator.cli import parse_args

RUN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "run_emulator.py")


def test_starts_fast_and_stops_cleanly() -> None:
    threads_before = {t.ident for t in threading.enumerate()}
    started = time.monotonic()
    emu = Emulator(portals=2).start()
    assert time.monotonic() - started < 2.0
    ports = [int(p.base_url.rsplit(":", 1)[1]) for p in emu.portals] + list(emu.smtp.listeners.values())
    # An idle keep-alive connection must not hold the stop up.
    session = requests.Session()
    assert session.get(emu.portals[0].base_url + SMTP, headers={"Authorization": f"Bearer {emu.portals[0].admin_api_key}"},
                       timeout=5).status_code == 200
    started = time.monotonic()
    emu.stop()
    assert time.monotonic() - started < 2.0
    for port in ports:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))  # the port is free again
    leftover = [t for t in threading.enumerate() if t.ident not in threads_before and t.is_alive()]
    assert leftover == []


def test_one_thread_accepts_for_every_portal_without_waiting_on_any() -> None:
    """A client that connects and stays silent, or resets at once, holds up no portal; a portal added later is served."""
    with Emulator(portals=2) as emu:
        silent = socket.create_connection(("127.0.0.1", int(emu.portals[0].base_url.rsplit(":", 1)[1])))
        resetting = socket.create_connection(("127.0.0.1", int(emu.portals[1].base_url.rsplit(":", 1)[1])))
        resetting.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        resetting.close()  # linger 0: a reset, perhaps before the emulator accepted it
        (added,) = emu.add_portals(1)
        for portal in [*emu.portals[:2], added]:
            answer = requests.get(portal.base_url + SMTP, headers={"Authorization": f"Bearer {portal.admin_api_key}"},
                                  timeout=5)
            assert answer.status_code == 200, portal.name
        silent.close()


def test_stop_interrupts_a_pending_delay_fault() -> None:
    emu = Emulator().start()
    portal = emu.portals[0]
    portal.add_fault(kind="delay", delay=30)
    caller = threading.Thread(target=lambda: _quietly(Api(portal, portal.admin_api_key).get), daemon=True)
    caller.start()
    time.sleep(0.2)
    started = time.monotonic()
    emu.stop()
    assert time.monotonic() - started < 3.0


def _quietly(call) -> None:
    try:
        call()
    except requests.RequestException:
        pass


def test_https_with_ca_path() -> None:
    with Emulator(portals=1, https=True) as emu:
        portal = emu.portals[0]
        assert portal.base_url.startswith("https://127.0.0.1:")
        assert emu.ca_path and os.path.exists(emu.ca_path) and emu.ca_path != emu.smtp.ca_path
        assert emu.info()["ca_path"] == emu.ca_path
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(portal.base_url + SMTP, timeout=5)
        api = Api(portal, portal.admin_api_key, verify=emu.ca_path)
        body = api.get().json()
        assert body["links"][0]["href"] == portal.base_url + SMTP
        api_host = Api(portal, portal.admin_api_key, verify=emu.ca_path)
        api_host.portal = type("P", (), {"base_url": portal.base_url.replace("127.0.0.1", "localhost")})()
        assert api_host.get().status_code == 200
        assert requests.get(portal.base_url + "/_emulator/config", verify=emu.ca_path, timeout=5).status_code == 200


def test_cloud_default_option() -> None:
    with Emulator(cloud_default=True) as emu:
        portal = emu.portals[0]
        assert Api(portal, portal.admin_api_key).get().json()["response"]["port"] == 0
        portal.configure(cloud_default=False)
        portal.reset()  # back to the emulator's initial switches
        assert portal.config()["cloud_default"] is True


def test_random_secrets() -> None:
    with Emulator(random_secrets=True) as first, Emulator(random_secrets=True) as second:
        assert first.portals[0].admin_api_key != second.portals[0].admin_api_key
    with Emulator() as first, Emulator() as second:
        assert first.portals[0].admin_api_key == second.portals[0].admin_api_key


def _wait_for(path: str, process: subprocess.Popen, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path, encoding="utf-8") as stream:
                return json.load(stream)
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("no info file")


@pytest.mark.parametrize("extra", [[], ["--https", "--cloud-default"]])
def test_command_line(tmp_path, extra) -> None:
    info_file = str(tmp_path / "emulator.json")
    command = [sys.executable, RUN, "--portals", "2", "--info-file", info_file, *extra]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            info = _wait_for(info_file, process)
            assert [p["name"] for p in info["portals"]] == ["portal1", "portal2"]
            # The keys consumers rely on, plus the ones added since (installations, pid, version, installation).
            assert set(info) == {"ca_path", "portals", "smtp", "control_url", "installations", "pid"}
            assert set(info["portals"][0]) == {"name", "base_url", "admin", "user", "readonly_api_key", "version", "installation"}
            assert (info["portals"][0]["version"], info["portals"][0]["installation"]) == ("3.7", "portal1")
            assert set(info["smtp"]) == {"host", "ca_path", "listeners", "accounts", "refusing_accounts"}
            portal = info["portals"][1]
            response = requests.get(portal["base_url"] + SMTP, headers={"Authorization": f"Bearer {portal['admin']['api_key']}"},
                                    verify=info["ca_path"] or True, timeout=5)
            assert response.status_code == 200
            assert response.json()["response"]["isDefaultSettings"] is True
            assert response.json()["response"]["port"] == (0 if extra else 25)
            with socket.create_connection(("127.0.0.1", info["smtp"]["listeners"]["plain"]), timeout=5) as sock:
                assert sock.recv(100).startswith(b"220 ")
            added = requests.post(info["control_url"] + "/_emulator/portals", json={"count": 1}, verify=info["ca_path"] or True,
                                  timeout=5).json()["portals"]
            with open(info_file, encoding="utf-8") as stream:
                assert json.load(stream)["portals"][2] == added[0]  # the info file follows
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert f"export DOCSPACE_BASE_URL={info['portals'][0]['base_url']}" in out
    assert f"export DOCSPACE_API_KEY={info['portals'][0]['admin']['api_key']}" in out
    assert "onlyoffice.docspace.smtp_settings" in out
    assert not os.path.exists(info_file)


def test_command_line_fixed_ports(tmp_path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        base = probe.getsockname()[1]
    info_file = str(tmp_path / "fixed.json")
    command = [sys.executable, "-m", "docspace_emulator", "--port", str(base), "--info-file", info_file, "--quiet"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=os.path.dirname(RUN),
                          env={**os.environ, "PYTHONPATH": os.path.dirname(RUN)}) as process:
        try:
            info = _wait_for(info_file, process)
            assert info["portals"][0]["base_url"] == f"http://127.0.0.1:{base}"
            assert info["control_url"] == info["portals"][0]["base_url"]
        finally:
            process.send_signal(signal.SIGINT)
            out = process.communicate(timeout=15)
    assert process.returncode == 0
    assert out[0].strip() == info_file


def test_command_line_extra_portals_and_a_busy_info_file(tmp_path) -> None:
    info_file = str(tmp_path / "emulator.json")
    command = [sys.executable, RUN, "--portals", "1", "--info-file", info_file, "--job-expiry", "2", "--cleaner-interval", "0.5",
               "--portal", "version=3.0", "--portal", "installation=shared", "--portal", "version=3.1,installation=shared"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            info = _wait_for(info_file, process)
            assert [(p["name"], p["version"], p["installation"]) for p in info["portals"]] == [
                ("portal1", "3.7", "portal1"), ("portal2", "3.0", "portal2"), ("portal3", "3.7", "shared"), ("portal4", "3.1", "shared")]
            assert info["portals"][1]["admin"]["api_key"] is None and info["portals"][1]["readonly_api_key"] is None
            assert info["installations"]["shared"]["portals"] == ["portal3", "portal4"]
            assert (info["installations"]["shared"]["job_expiry"], info["installations"]["shared"]["cleaner_interval"]) == (2.0, 0.5)
            assert info["pid"] == process.pid
            before = open(info_file, encoding="utf-8").read()
            # A second emulator on the same info file refuses and leaves the running one's file alone.
            second = subprocess.run([sys.executable, RUN, "--info-file", info_file], capture_output=True, text=True, timeout=30, check=False)
            assert second.returncode == 1
            assert f"another emulator (pid {process.pid}) is running with the info file {info_file}" in second.stderr
            assert open(info_file, encoding="utf-8").read() == before
        finally:
            process.send_signal(signal.SIGTERM)
            _out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err


def test_command_line_refuses_a_bad_portal_spec(capsys) -> None:
    for spec, reason in (("version=1.9", "version 1.9 is older than DocSpace 2.0"), ("size=2", "'size=2' is not version=X.Y")):
        with pytest.raises(SystemExit) as exited:
            parse_args(["--portal", spec])
        assert exited.value.code == 2 and f"--portal: {reason}" in capsys.readouterr().err


# -- without the requirements; what is left after a stop ------------------------------------------------------

EMULATOR_DIR = os.path.dirname(RUN)
REPO = os.path.dirname(os.path.dirname(EMULATOR_DIR))
REQUIREMENTS = os.path.join("tests", "requirements", "emulator.txt")


def _assert_one_line_naming_the_requirements(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 1, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "ModuleNotFoundError" not in result.stderr
    assert f"pip install -r {REQUIREMENTS} (or run make emulator)" in lines[0]
    assert "trustme" in lines[0] and "aiosmtpd" in lines[0]


@pytest.mark.parametrize("entry", ["run_emulator.py", "-m docspace_emulator"])
def test_without_its_requirements_it_says_what_to_install_in_one_line(entry) -> None:
    # -S: no site module, so no site-packages: this interpreter's standard library only, on any machine.
    bare = [sys.executable, "-S"]
    assert subprocess.run([*bare, "-c", "import trustme"], capture_output=True, check=False).returncode != 0
    command = [*bare, RUN] if entry == "run_emulator.py" else [*bare, "-m", "docspace_emulator"]
    result = subprocess.run([*command, "--portals", "1"], capture_output=True, text=True, cwd=REPO, timeout=60, check=False,
                            env={**os.environ, "PYTHONPATH": EMULATOR_DIR})
    _assert_one_line_naming_the_requirements(result)


def test_in_a_bare_virtualenv_it_says_what_to_install_in_one_line(tmp_path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True, timeout=120)
    result = subprocess.run([str(tmp_path / "bare" / "bin" / "python"), RUN], capture_output=True, text=True, cwd=REPO,
                            timeout=60, check=False)
    _assert_one_line_naming_the_requirements(result)


def test_the_checked_modules_are_the_requirements_file_s() -> None:
    from docspace_emulator.requirements_check import REQUIREMENTS_FILE, RUNTIME_MODULES

    assert REQUIREMENTS_FILE == os.path.join(REPO, REQUIREMENTS)
    with open(REQUIREMENTS_FILE, encoding="utf-8") as stream:
        listed = {line.split("==")[0].strip().lower() for line in stream if line.strip() and not line.startswith("#")}
    assert set(RUNTIME_MODULES) <= listed


def _gone(path: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not os.path.exists(path)


def _dead(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda signum: signum.name)
def test_a_stop_leaves_no_file_with_keys(tmp_path, signum) -> None:
    info_file = str(tmp_path / "emulator.json")
    command = [sys.executable, RUN, "--https", "--info-file", info_file]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            info = _wait_for(info_file, process)
        finally:
            process.send_signal(signum)
            _out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert info["portals"][0]["admin"]["api_key"]
    assert not os.path.exists(info_file)
    assert not os.path.exists(os.path.dirname(info["ca_path"]))  # the emulator's own directory (certificates)


# `make emulator` (noxfile.py session emulator) in small: EmulatorProcess in the foreground, an inventory with the
# keys beside the info file, until Ctrl-C, SIGTERM or SIGHUP.
FOREGROUND = """
import json, pathlib, sys
sys.path.insert(0, sys.argv[1])
from docspace_harness.emulator import EmulatorProcess
workdir = pathlib.Path(sys.argv[2])
try:
    with EmulatorProcess("--portals", "1", workdir=workdir, foreground=True) as process:
        inventory = process.remove_on_exit(workdir / "inventory.yml")
        inventory.write_text(json.dumps(process.info))
        print("ready", flush=True)
        process.wait()
except KeyboardInterrupt:
    pass
"""


@pytest.mark.parametrize(("signum", "to_group", "workdir_exists"), [
    (signal.SIGINT, True, False),     # Ctrl-C: the terminal signals the whole process group
    (signal.SIGTERM, False, False),   # kill PID, or make passing its SIGTERM on: the emulator is not signalled
    (signal.SIGTERM, False, True),
    (signal.SIGHUP, True, False),     # the terminal closed
], ids=["ctrl-c", "sigterm", "sigterm-given-workdir", "sighup"])
def test_make_emulator_s_stop_leaves_no_file_with_keys(tmp_path, signum, to_group, workdir_exists) -> None:
    workdir = tmp_path / "docspace-emulator"
    if workdir_exists:
        workdir.mkdir()
        (workdir / "mine.txt").write_text("the user's")
    command = [sys.executable, "-c", FOREGROUND, os.path.dirname(EMULATOR_DIR), str(workdir)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True) as process:
        try:
            assert process.stdout is not None
            while "ready" not in process.stdout.readline():
                assert process.poll() is None, process.communicate()
            info = json.loads((workdir / "inventory.yml").read_text())
            assert info["portals"][0]["admin"]["api_key"]
        finally:
            if to_group:
                os.killpg(process.pid, signum)
            else:
                process.send_signal(signum)
            _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert _dead(info["pid"]), "the emulator is still running"
    if workdir_exists:
        assert not (workdir / "inventory.yml").exists() and not (workdir / "info.json").exists()
        assert (workdir / "mine.txt").read_text() == "the user's"
        assert not [path for path in workdir.iterdir() if "portal1" in path.read_text()]
    else:
        assert _gone(str(workdir)), sorted(os.listdir(workdir))
