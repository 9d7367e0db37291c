"""Credentials: setup (typed at a terminal and scripted), doctor, profiles, a real OS keyring.

The keyring is the real Secret Service: gnome-keyring-daemon on a private D-Bus session
(Debian packages gnome-keyring and dbus, installed by scripts/test).
"""

from __future__ import annotations

import json
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
    said = done.stdout.index(f"sent to {standin.origin} only")  # where the keys go, before they go
    assert said < done.stdout.index("Verified")
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


def read_until(fd: int, marker: str, transcript: list[str], timeout: float = 30, count: int = 1) -> None:
    """Read the terminal until ``marker`` has appeared ``count`` times (or it closes)."""
    deadline = time.monotonic() + timeout
    while "".join(transcript).count(marker) < count:
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
    answers = [  # the README's order; a company ID where the client ID belongs is asked again
        ("site", standin.origin, 1),
        ("Company ID", COMPANY, 1),
        ("public key", PUBLIC_KEY, 1),
        ("private key", PRIVATE_KEY, 1),
        ("Client ID (GUID", COMPANY, 1),
        ("Client ID (GUID", CLIENT_ID, 2),
    ]
    for prompt, answer, count in answers:
        read_until(fd, prompt, transcript, count=count)
        os.write(fd, (answer + "\n").encode())
    read_until(fd, "mcpServers", transcript, timeout=60)
    _, status = os.waitpid(pid, 0)
    output = "".join(transcript)
    assert os.waitstatus_to_exitcode(status) == 0, output
    assert PRIVATE_KEY not in output
    prompts = [output.index(p) for p in ("ConnectWise site", "Company ID", "public key", "private key", "Client ID (")]
    assert prompts == sorted(prompts)
    assert "is a GUID like" in output  # why the first client ID was asked again
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
    standin.reset()
    env = base_env(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    result = scripted_setup(env, standin, built_catalog)
    assert result.returncode == 1
    assert "CONNECTWISE_PRIVATE_KEY" in result.stderr and "docker run" in result.stderr
    assert "claude_desktop_config.json" in result.stderr and "gnome-keyring" in result.stderr
    assert standin.requests == []  # it stopped before calling the network
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


def run_at_terminal(env: dict[str, str], *args: str, timeout: float = 60) -> str:
    """Run the pyz at a pseudo-terminal, answering nothing; returns everything it wrote."""
    command, base, full = launch("pyz", dict(env, TERM="dumb"))
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(command, [command, *base, *args], full)
    transcript: list[str] = []
    read_until(fd, "\0never\0", transcript, timeout=timeout)  # to the end of the output
    os.waitpid(pid, 0)
    return "".join(transcript)


def test_without_a_keyring_setup_asks_nothing_and_sends_nothing(standin, tmp_path: Path) -> None:
    standin.reset()
    env = base_env(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    output = run_at_terminal(env, "setup")
    assert "No usable OS keyring" in output and "Nothing was asked, sent or stored" in output
    assert "ConnectWise site" not in output and "Company ID" not in output
    assert standin.requests == []


def redirecting_site(site_url: str):
    """A stand-in whose /login/companyinfo names ``site_url`` as its SiteUrl ({site} is its own host:port)."""
    from cwm_gateway.sandbox import StandIn
    from cwm_gateway.sandbox.server import json_response

    class Site(StandIn):
        info_requests = 0

        def _company_info(self, request, company):
            self.info_requests += 1
            info = {"Codebase": "v4_6_release/", "IsCloud": False, "SiteUrl": site_url.replace("{site}", self.site)}
            return json_response(200, {**info, "CompanyID": company})

    return Site(company_id=COMPANY, public_key=PUBLIC_KEY, private_key=PRIVATE_KEY, client_id=CLIENT_ID)


@pytest.mark.parametrize(
    "site_url",
    [
        "{site}@{listener}",  # user-info: the URL reads as this site, the request goes to the listener
        "{listener}",  # plainly another host
        "{site}/../x",
    ],
)
def test_setup_sends_the_keys_only_to_the_site_the_user_named(
    keyring_home: dict[str, str], listener, built_catalog: Path, tmp_path: Path, site_url: str
) -> None:
    listener.clear_requests()
    with redirecting_site(site_url.replace("{listener}", listener.site)) as site:
        result = scripted_setup(keyring_home, site, built_catalog)
        assert site.info_requests == 1
        assert [r.path for r in site.requests if "/system/info" in r.path] == []
    assert result.returncode == 1, result.stdout
    assert "no keys were sent" in result.stderr and "--api-url" in result.stderr
    assert listener.requests == []
    assert not (tmp_path / "config" / "cwm-gateway" / "config.ini").exists()


@pytest.mark.parametrize(
    ("flag", "value", "expected"),
    [
        ("--site", "labtech@127.0.0.1", "without user@"),
        ("--api-url", "http://x@127.0.0.1:9/v4_6_release/apis/3.0", "without user@"),
        ("--api-url", "http://127.0.0.1:9", "/v4_6_release/apis/3.0"),
        ("--api-url", "http://127.0.0.1:9/v4_6_release", "base path"),
        ("--client-id", COMPANY, "is not a GUID"),
    ],
)
def test_setup_refuses_bad_values_before_any_request(
    keyring_home: dict[str, str], listener, flag: str, value: str, expected: str
) -> None:
    listener.clear_requests()
    values = {"--site": listener.origin, "--client-id": CLIENT_ID, "--company-id": COMPANY, "--public-key": PUBLIC_KEY}
    if flag == "--api-url":
        del values["--site"]
    values[flag] = value.replace("127.0.0.1:9", listener.site)
    args = [item for pair in values.items() for item in pair]
    result = cli(keyring_home, "setup", *args, "--private-key-stdin", stdin=PRIVATE_KEY + "\n")
    assert result.returncode == 1 and expected in result.stderr, result.stderr
    assert listener.requests == []


def test_a_wrong_client_id_is_named_as_such(keyring_home: dict[str, str], standin, built_catalog: Path) -> None:
    standin.reset()
    other = "11111111-2222-4333-8444-555555555555"
    result = cli(
        keyring_home,
        "setup",
        "--site",
        standin.origin,
        "--company-id",
        COMPANY,
        "--public-key",
        PUBLIC_KEY,
        "--client-id",
        other,
        "--private-key-stdin",
        stdin=PRIVATE_KEY + "\n",
        catalog=built_catalog,
    )
    assert result.returncode == 1
    assert "refused the client ID (400)" in result.stderr and "developer.connectwise.com" in result.stderr


def test_doctor_into_a_closed_pipe_is_quiet(standin, built_catalog: Path, tmp_path: Path) -> None:
    """``cwm-gateway doctor | head``: the reader leaves early; no BrokenPipeError traceback follows."""
    env = base_env(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", CWM_CATALOG=str(built_catalog))
    command, base, full = launch("pyz", env)
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `head` does once it has its lines
    try:
        done = subprocess.run(
            [command, *base, "doctor"], stdout=write_end, stderr=subprocess.PIPE, env=full, text=True, timeout=90
        )
    finally:
        os.close(write_end)
    assert "BrokenPipeError" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.stderr == ""


def test_doctor_prints_each_problem_once(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = base_env(
        tmp_path,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        CWM_CATALOG=str(tmp_path / "no-catalog.db"),
        CONNECTWISE_API_URL=f"http://127.0.0.1:{port}/v4_6_release/apis/3.0",
        CONNECTWISE_COMPANY_ID=COMPANY,
        CONNECTWISE_PUBLIC_KEY=PUBLIC_KEY,
        CONNECTWISE_PRIVATE_KEY=PRIVATE_KEY,
        CONNECTWISE_CLIENT_ID=CLIENT_ID,
    )
    doctor = cli(env, "doctor")
    assert doctor.returncode == 1
    assert doctor.stdout.count("catalog not found") == 1, doctor.stdout
    assert doctor.stdout.count(f"127.0.0.1:{port}: the server refused") == 1, doctor.stdout
    lines = [line.strip() for line in doctor.stdout.splitlines() if line.strip()]
    assert len(lines) == len(set(lines))


def older_server_config(path: Path, checkout: Path, env: dict[str, str]) -> dict:
    """A Claude Desktop config as the seed product's README has users write it, beside another server."""
    document = {
        "globalShortcut": "Ctrl+Space",
        "mcpServers": {
            "CWM-API-Gateway-MCP": {
                "command": "python3",
                "args": [str(checkout / "api_gateway_server.py")],
                "env": env,
            },
            "files": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]},
        },
    }
    path.write_text(json.dumps(document, indent=2))
    return document


SEED_ENV = {
    "CONNECTWISE_API_URL": "https://na.myconnectwise.net/v4_6_release/apis/3.0",
    "CONNECTWISE_COMPANY_ID": CLIENT_ID,
    "CONNECTWISE_PUBLIC_KEY": PUBLIC_KEY,
    "CONNECTWISE_PRIVATE_KEY": PRIVATE_KEY,
    "CONNECTWISE_AUTH_PREFIX": f"{COMPANY}+",
}


def test_config_claude_replaces_the_older_server_keeping_its_env(tmp_path: Path) -> None:
    checkout = tmp_path / "src" / "CWM-API-Gateway-MCP"
    (checkout / "api_gateway").mkdir(parents=True)
    (checkout / "api_gateway" / "fast_memory_api.db").write_bytes(b"")
    config = tmp_path / "claude_desktop_config.json"
    before = older_server_config(config, checkout, SEED_ENV)
    config.chmod(0o600)  # it holds the private key
    env = base_env(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    done = cli(env, "config", "claude", "--write", "--file", str(config))
    assert done.returncode == 0, done.stderr
    after = json.loads(config.read_text())
    assert set(after["mcpServers"]) == {"connectwise", "files"}  # one set of tool names, the other server kept
    assert after["mcpServers"]["files"] == before["mcpServers"]["files"]
    assert after["globalShortcut"] == "Ctrl+Space"
    assert config.stat().st_mode & 0o777 == 0o600
    ours = after["mcpServers"]["connectwise"]
    assert ours["env"] == SEED_ENV and ours["args"][-1].endswith("cwm-gateway.pyz")
    backups = list(tmp_path.glob("claude_desktop_config.json.*.bak"))
    assert len(backups) == 1 and json.loads(backups[0].read_text()) == before
    assert 'Replaced the older CWM-API-Gateway-MCP entry "CWM-API-Gateway-MCP"' in done.stdout
    assert "CONNECTWISE_AUTH_PREFIX" in done.stdout and backups[0].name in done.stdout
    assert "run 'cwm-gateway setup', then this again" in done.stdout
    seed_db = checkout / "api_gateway" / "fast_memory_api.db"
    assert f"cwm-gateway memory import-seed {seed_db}" in done.stdout
    again = cli(env, "config", "claude", "--write", "--file", str(config))  # idempotent from here
    assert "Added" in again.stdout and json.loads(config.read_text()) == after
    backups = sorted(tmp_path.glob("claude_desktop_config.json.*.bak"), key=lambda p: p.stat().st_mtime_ns)
    assert len(backups) == 2 and json.loads(backups[0].read_text()) == before  # the original is never overwritten


def test_config_claude_leaves_out_keys_the_keyring_holds(
    keyring_home: dict[str, str], standin, built_catalog: Path, tmp_path: Path
) -> None:
    """Before setup the older entry's keys stay in the file; after it, they are the keyring's alone."""
    config = tmp_path / "claude_desktop_config.json"
    seed_env = {
        "CONNECTWISE_API_URL": standin.base_url,
        "CONNECTWISE_COMPANY_ID": COMPANY,
        "CONNECTWISE_CLIENT_ID": CLIENT_ID,
        "CONNECTWISE_PUBLIC_KEY": PUBLIC_KEY,
        "CONNECTWISE_PRIVATE_KEY": PRIVATE_KEY,
    }
    older_server_config(config, tmp_path / "CWM-API-Gateway-MCP", seed_env)
    first = cli(keyring_home, "config", "claude", "--write", "--file", str(config))
    assert first.returncode == 0, first.stderr
    assert json.loads(config.read_text())["mcpServers"]["connectwise"]["env"] == seed_env
    assert "run 'cwm-gateway setup', then this again" in first.stdout

    assert scripted_setup(keyring_home, standin, built_catalog).returncode == 0
    done = cli(keyring_home, "config", "claude", "--write", "--file", str(config))
    assert done.returncode == 0, done.stderr
    ours = json.loads(config.read_text())["mcpServers"]["connectwise"]
    assert set(ours["env"]) == {"CONNECTWISE_API_URL", "CONNECTWISE_COMPANY_ID", "CONNECTWISE_CLIENT_ID"}
    assert PRIVATE_KEY not in config.read_text()
    assert "Left out CONNECTWISE_PUBLIC_KEY, CONNECTWISE_PRIVATE_KEY" in done.stdout
    # The entry as written starts a server that reaches ConnectWise with the keyring's keys.
    env = dict(keyring_home, CWM_CATALOG=str(built_catalog), **ours["env"])
    env["SHIV_ROOT"] = os.environ["CWM_TEST_SHIV_ROOT"]
    env.pop("PYTHONPATH", None)
    with McpSession.start(ours["command"], ours["args"], env) as session:
        boards = session.call("execute_api_call", path="/service/boards")
        assert not boards.is_error, boards.text
