"""The command line's one exit-code convention: commands raise CliError, ``main`` maps it."""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

import pytest

from cwm_gateway import buildinfo, cli, logs, setup_command
from cwm_gateway.catalog.builder import build_catalog
from cwm_gateway.memory import MemoryStore

FIXTURE = Path(__file__).parent / "fixtures" / "mini-openapi.json"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Data, config and logs under tmp_path; the catalog built from the small fixture."""
    monkeypatch.setattr(logs, "configure", lambda **kwargs: None)  # the test session keeps its own logging
    for name, sub in (("CWM_DATA_DIR", "data"), ("CWM_CONFIG_DIR", "config"), ("CWM_LOG_DIR", "logs")):
        monkeypatch.setenv(name, str(tmp_path / sub))
    build_catalog(FIXTURE, tmp_path / "catalog.db")
    monkeypatch.setenv("CWM_CATALOG", str(tmp_path / "catalog.db"))
    return tmp_path


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert "exit codes:" in shown
    codes = (cli.OK, cli.FAILED, cli.UNUSABLE_INPUT, cli.INTERRUPTED, cli.CLOSED_PIPE)
    assert codes == (0, 1, 2, 130, 141)  # 2 as argparse uses for usage errors; 141 as a shell shows SIGPIPE
    for code in codes:
        assert f"\n  {code} " in shown


def test_success_is_zero(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["build-db", str(FIXTURE), "--out", str(home / "again.db")]) == cli.OK
    assert "10 operations" in capsys.readouterr().out


def test_unusable_input_is_two_with_the_command_named(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = home / "bad.json"
    bad.write_text('{"openapi": ')
    assert cli.main(["build-db", str(bad), "--out", str(home / "o.db")]) == cli.UNUSABLE_INPUT
    assert capsys.readouterr().err.startswith("cwm-gateway build-db: ")
    assert cli.main(["memory", "import", str(home / "missing.json")]) == cli.UNUSABLE_INPUT
    assert capsys.readouterr().err.startswith("cwm-gateway memory import: ")
    assert cli.main(["config", "claude", "--write", "--file", str(bad)]) == cli.UNUSABLE_INPUT
    shown = capsys.readouterr().err
    assert shown.startswith("cwm-gateway config claude: ") and "is not valid JSON" in shown


def test_no_catalog_is_two(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CWM_CATALOG", str(home / "nowhere.db"))
    assert cli.main(["search", "tickets"]) == cli.UNUSABLE_INPUT
    assert capsys.readouterr().err.startswith("cwm-gateway search: API catalog not found")


def test_a_refused_search_is_one_and_prints_why(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["search", "tickets", "--limit", "0"]) == cli.FAILED
    captured = capsys.readouterr()
    assert "max_results must be from 1" in captured.out and captured.err == ""


def test_a_failed_setup_is_one(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["setup", "--site", "ftp://example.com", "--company-id", "c", "--public-key", "p"])
    assert code == cli.FAILED
    assert capsys.readouterr().err.startswith("cwm-gateway setup: ")


def test_a_cancelled_setup_is_130(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(setup_command, "run", interrupted)
    assert cli.main(["setup"]) == cli.INTERRUPTED
    assert capsys.readouterr().err == "\ncwm-gateway setup: cancelled; nothing was stored.\n"


def test_any_interrupted_command_is_130(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(args: argparse.Namespace) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_build_db", interrupted)
    assert cli.main(["build-db", str(FIXTURE)]) == cli.INTERRUPTED
    assert capsys.readouterr().err == "\ncwm-gateway build-db: interrupted.\n"


def test_a_pyz_for_another_python_is_two(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(buildinfo, "mismatch", lambda: "this cwm-gateway.pyz was built for Python 3.99")
    assert cli.main(["doctor"]) == cli.UNUSABLE_INPUT
    assert capsys.readouterr().err == "cwm-gateway: this cwm-gateway.pyz was built for Python 3.99\n"


@pytest.mark.skipif(os.name != "posix", reason="SIGPIPE semantics")
def test_a_reader_that_leaves_early_is_141_even_mid_export(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``memory export | head``: the export's own write meets the closed pipe (it was reported as a bad file)."""
    store = MemoryStore()
    entries = [{"description": f"query {n}", "path": f"/service/tickets/{n}"} for n in range(300)]
    assert store.import_entries(entries).added == 300
    reader, writer = os.pipe()
    os.close(reader)
    stdout = os.fdopen(writer, "w")
    monkeypatch.setattr(sys, "stdout", stdout)
    errors = io.StringIO()
    monkeypatch.setattr(sys, "stderr", errors)
    try:
        assert cli.main(["memory", "export"]) == cli.CLOSED_PIPE
    finally:
        stdout.close()
    assert errors.getvalue() == ""
