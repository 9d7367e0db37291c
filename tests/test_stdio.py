"""The stdio server as clients and people meet it: cancels, malformed lines, load, signals, a terminal.

The pyz users run is started for each; the official ``mcp`` client drives it where it can,
and raw JSON-RPC lines where a well-behaved client never would (malformed input).
"""

from __future__ import annotations

import json
import os
import pty
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import connectwise_env, gateway, isolated_env, launch


class RawServer:
    """The pyz on pipes, spoken to line by line."""

    def __init__(self, env: dict[str, str], args: tuple[str, ...] = ()) -> None:
        command, base_args, full_env = launch("pyz", env)
        self.process = subprocess.Popen(
            [command, *base_args, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
        )
        self._lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self._stderr: list[bytes] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=lambda: self._stderr.extend(self.process.stderr), daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout
        for line in self.process.stdout:
            self._lines.put(json.loads(line))  # anything but JSON on stdout fails here

    def send(self, message: dict[str, Any] | bytes) -> None:
        assert self.process.stdin
        raw = message if isinstance(message, bytes) else json.dumps(message).encode()
        self.process.stdin.write(raw + b"\n")
        self.process.stdin.flush()

    def receive(self, timeout: float = 20) -> dict[str, Any]:
        return self._lines.get(timeout=timeout)

    def request(self, request_id: int, method: str, params: dict[str, Any] | None = None) -> None:
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}})

    def initialize(self) -> None:
        self.request(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": CLIENT})
        assert self.receive()["id"] == 0
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def stderr(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


CLIENT = {"name": "raw-test", "version": "1"}


@pytest.fixture
def raw(tmp_path: Path, standin, built_catalog: Path) -> Iterator[RawServer]:
    server = RawServer(isolated_env(tmp_path, CWM_CATALOG=str(built_catalog), **connectwise_env(standin)))
    server.initialize()
    yield server
    server.stop()


def slow_call(request_id: int) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": "execute_api_call", "arguments": {"path": "/service/boards"}},
    }


# -- cancellation ------------------------------------------------------------------------


def test_a_cancelled_call_leaves_the_server_answering(tmp_path: Path, standin, built_catalog: Path) -> None:
    """The official client abandons a call that times out and sends notifications/cancelled."""
    standin.reset()
    standin.inject("slow", delay=3)
    with gateway(tmp_path, built_catalog, connectwise_env(standin), kind="pyz") as session:
        with pytest.raises(Exception, match=r"(?i)timed out|timeout"):
            session.call("execute_api_call", timeout=0.5, path="/service/boards")
        assert len(session.list_tools()) >= 11
        time.sleep(3)  # the abandoned upstream call finishes meanwhile; its answer must go nowhere
        assert not session.call("execute_api_call", path="/service/boards").is_error
        assert "AssertionError" not in session.stderr()


def test_an_explicit_cancel_gets_no_answer_and_the_next_request_does(raw: RawServer, standin) -> None:
    standin.reset()
    standin.inject("slow", delay=2)
    raw.send(slow_call(7))
    time.sleep(0.5)
    raw.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7, "reason": "user"}})
    raw.request(8, "tools/list")
    assert raw.receive()["id"] == 8
    time.sleep(2.5)
    raw.request(9, "ping")
    assert raw.receive() == {"jsonrpc": "2.0", "id": 9, "result": {}}  # nothing for the cancelled id 7
    assert raw.process.poll() is None


# -- protocol errors ---------------------------------------------------------------------


def test_unknown_methods_are_method_not_found(raw: RawServer) -> None:
    raw.request(3, "tools/frobnicate")
    reply = raw.receive()
    assert reply["id"] == 3 and reply["error"]["code"] == -32601


@pytest.mark.parametrize(
    ("line", "expected_id", "code"),
    [
        (b'{"jsonrpc":"2.0","id":21,"method":"ping"', None, -32700),  # truncated
        (b'[{"jsonrpc":"2.0","id":22,"method":"ping"}]', None, -32600),  # a batch
        (b'{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', None, -32600),  # an object as id
        (b'{"jsonrpc":"2.0","id":24,"method":"ping","params":{"x":' + b"[" * 300 + b"]" * 300 + b"}}", 24, -32600),
        (b'{"jsonrpc":"2.0","id":25,"method":"ping","params":{"q":"\\ud800"}}', 25, -32600),  # a lone surrogate
        (b"\xff\xfe not utf-8", None, -32700),
        (b'"just a string"', None, -32600),
    ],
)
def test_malformed_lines_get_an_error_reply(raw: RawServer, line: bytes, expected_id: Any, code: int) -> None:
    raw.send(line)
    reply = raw.receive(timeout=10)
    assert reply["id"] == expected_id and reply["error"]["code"] == code, reply
    raw.request(30, "ping")
    assert raw.receive()["id"] == 30


def test_a_ping_is_answered_while_many_slow_calls_are_in_flight(raw: RawServer, standin) -> None:
    standin.reset()
    standin.inject("slow", count=45, delay=3)
    for request_id in range(100, 145):
        raw.send(slow_call(request_id))
    time.sleep(0.5)
    raw.request(99, "ping")
    assert raw.receive()["id"] == 99  # before any of the slow calls' answers
    answered = {raw.receive()["id"] for _ in range(45)}
    assert answered == set(range(100, 145))


# -- signals and terminals ---------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_server_at_once_even_mid_call(raw: RawServer, standin, signum: int) -> None:
    standin.reset()
    standin.inject("slow", count=3, delay=20)
    for request_id in (41, 42, 43):
        raw.send(slow_call(request_id))
    time.sleep(0.5)
    raw.process.send_signal(signum)
    assert raw.process.wait(timeout=5) == 0
    time.sleep(0.2)
    assert "Traceback" not in raw.stderr()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_sandbox_and_removes_its_files(tmp_path: Path, signum: int) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    server = RawServer(isolated_env(tmp_path, TMPDIR=str(scratch)), ("serve", "--sandbox"))
    try:
        server.initialize()
        server.request(1, "tools/call", {"name": "save_to_fast_memory", "arguments": SAVE})
        assert server.receive()["result"]["isError"] is False
        assert list(scratch.iterdir()), "the sandbox keeps its files under TMPDIR while it runs"
        server.process.send_signal(signum)
        assert server.process.wait(timeout=5) == 0
        time.sleep(0.2)
        assert "Traceback" not in server.stderr()
        assert list(scratch.iterdir()) == []
    finally:
        server.stop()


SAVE = {"path": "/service/boards", "method": "GET", "description": "boards"}


def test_serve_from_a_terminal_says_what_it_is(tmp_path: Path) -> None:
    command, args, env = launch("pyz", isolated_env(tmp_path))
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [command, *args, "serve"], stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    os.close(terminal)
    try:
        deadline = time.monotonic() + 20
        first = b""
        assert process.stderr
        while b"\n" not in first and time.monotonic() < deadline:
            first += process.stderr.read1(4096)
        line = first.decode().splitlines()[0]
        assert "MCP server" in line and "serve --sandbox" in line and "setup" in line and "doctor" in line
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
        process.wait(5)


def test_serve_from_a_pipe_prints_nothing_but_protocol(raw: RawServer) -> None:
    raw.request(5, "ping")
    assert raw.receive()["id"] == 5
    time.sleep(0.2)
    assert "MCP server speaking" not in raw.stderr()  # a client's pipe, not a person's terminal


def test_a_lone_surrogate_from_connectwise_costs_nothing(raw: RawServer, standin) -> None:
    """JSON lets an answer carry "\\ud800"; UTF-8 cannot, so it must not stall the session."""
    standin.reset()
    standin.inject("status", code=400, body='{"code": "InvalidObject", "message": "bad \\ud800 value"}')
    raw.send({**slow_call(50), "params": {"name": "execute_api_call", "arguments": {"path": "/service/boards"}}})
    reply = raw.receive()
    assert reply["id"] == 50 and reply["result"]["isError"] is True
    assert "bad ? value" in reply["result"]["content"][0]["text"]
    raw.request(51, "ping")
    assert raw.receive()["id"] == 51
