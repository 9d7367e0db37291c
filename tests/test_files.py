"""Files written in place are replaced whole, by one writer or by several at once."""

from __future__ import annotations

import configparser
import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from cwm_gateway import claude_config, credentials
from cwm_gateway.files import atomic_write, replacing

WRITERS = 8
ROUNDS = 25


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def run_at_once(work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(writer)`` in WRITERS threads released together; the exceptions they raised."""
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        start.wait()
        try:
            for _ in range(ROUNDS):
                work(number)
        except BaseException as exc:  # collected: the test reports them
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_atomic_write_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "settings.json"
    assert atomic_write(target, '{"a": 1}') == target
    atomic_write(target, b'{"a": 2}')
    assert target.read_text(encoding="utf-8") == '{"a": 2}'
    assert [p.name for p in target.parent.iterdir()] == ["settings.json"]


def test_concurrent_writers_each_land_whole(tmp_path: Path) -> None:
    target = tmp_path / "shared.txt"
    payloads = [f"writer {n}\n".encode() * 20_000 for n in range(WRITERS)]  # large enough to interleave

    failures = run_at_once(lambda n: atomic_write(target, payloads[n]))

    assert failures == []
    assert target.read_bytes() in payloads  # one writer's whole text, never a mix
    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"]


def test_concurrent_config_writes_neither_fail_nor_corrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``setup`` run twice at once: the config file's writes used one fixed temporary name."""
    monkeypatch.setenv("CWM_CONFIG_DIR", str(tmp_path))

    failures = run_at_once(lambda n: credentials.write_config("default", {"company_id": f"company{n}"}))

    assert failures == []
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(tmp_path / "config.ini", encoding="utf-8")
    assert parser["default"]["company_id"] in {f"company{n}" for n in range(WRITERS)}
    assert [p.name for p in tmp_path.iterdir()] == ["config.ini"]


def test_concurrent_claude_config_writes_neither_fail_nor_corrupt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "claude_desktop_config.json"
    target.write_text(json.dumps({"mcpServers": {"other": {"command": "other"}}}), encoding="utf-8")
    monkeypatch.setattr(claude_config, "_backup_path", lambda path: tmp_path / "backups" / f"{os.urandom(8).hex()}.bak")
    (tmp_path / "backups").mkdir()

    failures = run_at_once(lambda n: claude_config.write_desktop_config(f"tenant{n}", target))

    assert failures == []
    servers = json.loads(target.read_text(encoding="utf-8"))["mcpServers"]
    assert "other" in servers and any(name.startswith("connectwise-tenant") for name in servers)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "claude_desktop_config.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_permissions_are_kept_given_or_the_umask_default(tmp_path: Path) -> None:
    private = tmp_path / "private.json"
    private.write_text("{}")
    private.chmod(0o600)  # a file that holds keys stays private when rewritten
    atomic_write(private, '{"env": {"CONNECTWISE_PRIVATE_KEY": "..."}}')
    assert mode_of(private) == 0o600
    fresh = tmp_path / "fresh.txt"
    atomic_write(fresh, "new")
    assert mode_of(fresh) == new_file_mode()  # as open() would have made it
    chosen = tmp_path / "chosen.txt"
    atomic_write(chosen, "x", mode=0o640)
    assert mode_of(chosen) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_the_temporary_file_is_private_while_it_is_filled(tmp_path: Path) -> None:
    with replacing(tmp_path / "keys.json") as temp:
        assert mode_of(temp) == 0o600
        temp.write_text("secret")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "catalog.db"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="disk full"), replacing(target) as temp:
        temp.write_bytes(b"half")
        raise OSError("disk full")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.db"]
