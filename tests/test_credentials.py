"""Credentials: setup (typed at a terminal and scripted), doctor, profiles, a real OS keyring.

The keyring is the real Secret Service: gnome-keyring-daemon on a private D-Bus session
(Debian packages gnome-keyring and dbus, installed by scripts/test).
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CLIENT_ID, COMPANY, PRIVATE_KEY, PUBLIC_KEY, isolated_env, launch
from mcp_client import McpSession


def base_env(home: Path, **extra: str) -> dict[str, str]:
    """A home of its own, with the runtime directory the Secret Service needs."""
    (home / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    return isolated_env(home, XDG_RUNTIME_DIR=str(home / "run"), **extra)


@pytest.fixture
def keyring_home(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A home directory with an unlocked Secret Service keyring on its own D-Bus session."""
    missing = [tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(tool) is None]
    assert not missing, f"install {missing} (Debian: apt-get install gnome-keyring dbus); scripts/test does it"
    env = base_env(tmp_path)
    script = (
        "printf keyring-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; "
        'echo "$DBUS_SESSION_BUS_ADDRESS"; exec sleep 600'
    )
    bus = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
        start_new_session=True,
    )
    address = bus.stdout.readline().strip()
    assert address.startswith("unix:"), "the D-Bus session did not start"
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    try:
        yield env
    finally:
        os.killpg(bus.pid, signal.SIGTERM)
        bus.wait(timeout=10)


def cli(env: dict[str, str], *args: str, stdin: str | None = None, catalog: Path | None = None):
    full = dict(env)
    if catalog:
        full["CWM_CATALOG"] = str(catalog)
    command, base, full = launch("pyz", full)  # the product as users run it
    return subprocess.run([command, *base, *args], input=stdin, capture_output=True, text=True, env=full, timeout=90)


def scripted_setup(env, standin, catalog, private_key=PRIVATE_KEY, company=COMPANY, site=None):
    """``setup`` the way a script runs it: every value on the command line, the key on stdin."""
    return cli(
        env,
        "setup",
        "--site",
        site or standin.origin,
        "--company-id",
        company,
        "--public-key",
        PUBLIC_KEY,
        "--client-id",
        CLIENT_ID,
        "--private-key-stdin",
        stdin=private_key + "\n",
        catalog=catalog,
    )


def files_containing(root: Path, secret: str) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                if secret.encode() in path.read_bytes():
                    found.append(path)
            except OSError:
                continue
    return found


def test_scripted_setup_stores_the_key_only_in_the_keyring(
    keyring_home: dict[str, str], standin, built_catalog: Path, tmp_path: Path
) -> None:
    standin.reset()
    done = scripted_setup(keyring_home, standin, built_catalog)
    assert done.returncode == 0, done.stderr
    assert f"{standin.origin}/v4_6_release/apis/3.0" in done.stdout  # discovered from /login/companyinfo
    assert "Verified" in done.stdout and '"mcpServers"' in done.stdout
    assert [r.path for r in standin.requests if "apis" in r.path] == ["/v4_6_release/apis/3.0/system/info"]
    config = (tmp_path / "config" / "cwm-gateway" / "config.ini").read_text()
    assert f"company_id = {COMPANY}" in config and PUBLIC_KEY not in config

    doctor = cli(keyring_home, "doctor", catalog=built_catalog)
    assert doctor.returncode == 0, doctor.stdout
    assert "SecretService" in doctor.stdout
    assert "[keyring]" in doctor.stdout and "[config file]" in doctor.stdout
    assert "GET /system/info -> 200" in doctor.stdout

    # The server finds everything without a single CONNECTWISE_* variable.
    command, args, env = launch("pyz", dict(keyring_home, CWM_CATALOG=str(built_catalog)))
    with McpSession.start(command, args, env) as session:
        boards = session.call("execute_api_call", path="/service/boards")
        assert not boards.is_error, boards.text
        outputs = boards.text + session.stderr()

    for text in (done.stdout, done.stderr, doctor.stdout, doctor.stderr, outputs):
        assert PRIVATE_KEY not in text
    assert files_containing(tmp_path, PRIVATE_KEY) == []  # gnome-keyring encrypts its file


def read_until(fd: int, marker: str, transcript: list[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while marker not in "".join(transcript):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {marker!r} in: {''.join(transcript)!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                break
            transcript.append(chunk.decode(errors="replace"))


def test_interactive_setup_at_a_terminal(
    keyring_home: dict[str, str], standin, built_catalog: Path, tmp_path: Path
) -> None:
    """Typed like a user would, through a pseudo-terminal; the private key is not echoed."""
    standin.reset()
    command, args, env = launch("pyz", dict(keyring_home, CWM_CATALOG=str(built_catalog), TERM="dumb"))
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal, as in a real shell
        os.execve(command, [command, *args, "setup", "--profile", "typed"], env)
    transcript: list[str] = []
    answers = [
        ("site", standin.origin),
        ("Company ID", COMPANY),
        ("public key", PUBLIC_KEY),
        ("Client ID", CLIENT_ID),
        ("private key", PRIVATE_KEY),
    ]
    for prompt, answer in answers:
        read_until(fd, prompt, transcript)
        os.write(fd, (answer + "\n").encode())
    read_until(fd, "mcpServers", transcript, timeout=60)
    _, status = os.waitpid(pid, 0)
    output = "".join(transcript)
    assert os.waitstatus_to_exitcode(status) == 0, output
    assert PRIVATE_KEY not in output
    assert "--profile" in output and "typed" in output  # the Claude Desktop snippet names the profile
    doctor = cli(keyring_home, "doctor", "--profile", "typed", catalog=built_catalog)
    assert doctor.returncode == 0, doctor.stdout


def test_wrong_keys_store_nothing(keyring_home: dict[str, str], standin, built_catalog: Path, tmp_path: Path) -> None:
    result = scripted_setup(keyring_home, standin, built_catalog, private_key="not-the-key")
    assert result.returncode == 1
    assert "rejected the keys (401)" in result.stderr and "Nothing was stored" in result.stderr
    assert "not-the-key" not in result.stderr + result.stdout
    assert not (tmp_path / "config" / "cwm-gateway" / "config.ini").exists()
    doctor = cli(keyring_home, "doctor", "--no-check", catalog=built_catalog)
    assert doctor.returncode == 1 and "CONNECTWISE_PRIVATE_KEY" in doctor.stdout


def test_site_problems_each_get_their_own_message(
    keyring_home: dict[str, str], standin, built_catalog: Path, tmp_path: Path
) -> None:
    unknown = scripted_setup(keyring_home, standin, built_catalog, company="nosuchco")
    assert unknown.returncode == 1 and "does not know company 'nosuchco'" in unknown.stderr
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    unreachable = scripted_setup(keyring_home, standin, built_catalog, site=f"http://127.0.0.1:{port}")
    assert unreachable.returncode == 1 and "Cannot reach" in unreachable.stderr
    tls = scripted_setup(keyring_home, standin, built_catalog, site=f"https://{standin.site}")
    assert tls.returncode == 1 and "TLS error" in tls.stderr
    plain = scripted_setup(keyring_home, standin, built_catalog, site="http://example.com")
    assert plain.returncode == 1 and "only for 127.0.0.1" in plain.stderr
    assert not (tmp_path / "config" / "cwm-gateway" / "config.ini").exists()


def test_without_a_terminal_a_missing_value_is_named(keyring_home: dict[str, str], standin) -> None:
    result = cli(
        keyring_home,
        "setup",
        "--site",
        standin.origin,
        "--company-id",
        COMPANY,
        "--public-key",
        PUBLIC_KEY,
        "--private-key-stdin",
        stdin=PRIVATE_KEY,
    )
    assert result.returncode == 1 and "--client-id" in result.stderr


def test_profiles_keep_tenants_apart(keyring_home: dict[str, str], built_catalog: Path) -> None:
    from cwm_gateway.sandbox import StandIn

    with StandIn(company_id="acme", public_key="acmepub", private_key="acme-private-key", client_id=CLIENT_ID) as acme:
        setup = cli(
            keyring_home,
            "setup",
            "--profile",
            "acme",
            "--site",
            acme.origin,
            "--company-id",
            "acme",
            "--public-key",
            "acmepub",
            "--client-id",
            CLIENT_ID,
            "--private-key-stdin",
            stdin="acme-private-key\n",
            catalog=built_catalog,
        )
        assert setup.returncode == 0, setup.stderr
        command, args, env = launch("pyz", dict(keyring_home, CWM_CATALOG=str(built_catalog), CWM_PROFILE="acme"))
        with McpSession.start(command, args, env) as session:
            assert not session.call("execute_api_call", path="/service/boards").is_error
        assert any(r.authorized for r in acme.requests)
    default = cli(keyring_home, "doctor", "--no-check", catalog=built_catalog)
    assert default.returncode == 1  # the default profile was never set up
    acme_doctor = cli(keyring_home, "--profile", "acme", "doctor", "--no-check", catalog=built_catalog)
    assert acme_doctor.returncode == 0 and "profile 'acme'" in acme_doctor.stdout


def test_environment_wins_over_keyring_and_config(keyring_home: dict[str, str], standin, built_catalog: Path) -> None:
    assert scripted_setup(keyring_home, standin, built_catalog).returncode == 0
    env = dict(keyring_home, CONNECTWISE_API_URL="https://api-na.myconnectwise.net/v4_6_release/apis/3.0")
    doctor = cli(env, "doctor", "--no-check", catalog=built_catalog)
    assert "api-na.myconnectwise.net" in doctor.stdout and "[env CONNECTWISE_API_URL]" in doctor.stdout
    assert "[keyring]" in doctor.stdout


def test_no_keyring_backend_explains_the_environment_route(standin, built_catalog: Path, tmp_path: Path) -> None:
    env = base_env(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    result = scripted_setup(env, standin, built_catalog)
    assert result.returncode == 1
    assert "CONNECTWISE_PRIVATE_KEY" in result.stderr and "docker run" in result.stderr
    assert not (tmp_path / "config" / "cwm-gateway" / "config.ini").exists()
    assert files_containing(tmp_path, PRIVATE_KEY) == []  # never a plain-file fallback
    doctor = cli(env, "doctor", "--no-check", catalog=built_catalog)
    assert doctor.returncode == 1 and "No usable OS keyring" in doctor.stdout


def test_doctor_masks_secrets_entirely(standin, built_catalog: Path, tmp_path: Path) -> None:
    env = base_env(
        tmp_path,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        CONNECTWISE_API_URL=standin.base_url,
        CONNECTWISE_COMPANY_ID=COMPANY,
        CONNECTWISE_PUBLIC_KEY=PUBLIC_KEY,
        CONNECTWISE_PRIVATE_KEY=PRIVATE_KEY,
        CONNECTWISE_CLIENT_ID=CLIENT_ID,
    )
    doctor = cli(env, "doctor", catalog=built_catalog)
    assert doctor.returncode == 0, doctor.stdout
    assert PRIVATE_KEY not in doctor.stdout and "*" * len(PRIVATE_KEY) not in doctor.stdout
    assert "set (hidden)" in doctor.stdout and "[env CONNECTWISE_PRIVATE_KEY]" in doctor.stdout
    wrong = cli(dict(env, CONNECTWISE_PRIVATE_KEY="nope-nope"), "doctor", catalog=built_catalog)
    assert wrong.returncode == 1 and "401" in wrong.stdout
