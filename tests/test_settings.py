"""Settings: every variable read in one module, parsed the same way everywhere, and documented in the README.

Plain function tests: ``settings.load`` and friends take the environment as a dict.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from cwm_gateway import credentials, doctor, locations, settings
from cwm_gateway.execution import Policy

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src" / "cwm_gateway"
README = REPO / "README.md"
ENV_READ = re.compile(r"\bos\.environ\b|\bgetenv\b|\bfrom os import\b.*\benviron\b")

# Modules that still read the environment themselves, and why. Each must still need it (checked below).
READS_ENV_ON_ITS_OWN = {
    "settings.py": "the one reader",
}


# -- parsing, one setting at a time ---------------------------------------------------------------------------------

CALLS_CASES = [
    # (variable, given, Calls attribute, expected, a problem that names it?)
    ("CWM_READ_ONLY", None, "read_only", False, False),
    ("CWM_READ_ONLY", "1", "read_only", True, False),
    ("CWM_READ_ONLY", " TRUE ", "read_only", True, False),
    ("CWM_READ_ONLY", "on", "read_only", True, False),
    ("CWM_READ_ONLY", "no", "read_only", False, False),
    ("CWM_READ_ONLY", "0", "read_only", False, False),
    ("CWM_READ_ONLY", "enabled", "read_only", True, True),  # a typo in a safety switch fails closed
    ("CWM_CONFIRM_WRITES", None, "confirm_writes", False, False),
    ("CWM_CONFIRM_WRITES", "yes", "confirm_writes", True, False),
    ("CWM_CONFIRM_WRITES", "off", "confirm_writes", False, False),
    ("CWM_CONFIRM_WRITES", "always", "confirm_writes", True, True),
    ("CWM_TIMEOUT", None, "timeout", 30.0, False),
    ("CWM_TIMEOUT", "2.5", "timeout", 2.5, False),
    ("CWM_TIMEOUT", "abc", "timeout", 30.0, True),
    ("CWM_TIMEOUT", "inf", "timeout", 30.0, True),
    ("CWM_TIMEOUT", "nan", "timeout", 30.0, True),
    ("CWM_TIMEOUT", "0", "timeout", 0.5, True),
    ("CWM_DEADLINE", None, "deadline", None, False),
    ("CWM_DEADLINE", "90", "deadline", 90.0, False),
    ("CWM_DEADLINE", "0.2", "deadline", 1.0, True),
    ("CWM_DEADLINE", "soon", "deadline", None, True),
    ("CWM_MAX_RESPONSE_BYTES", None, "max_bytes", 32 * 1024 * 1024, False),
    ("CWM_MAX_RESPONSE_BYTES", "1_000_000", "max_bytes", 1_000_000, False),
    ("CWM_MAX_RESPONSE_BYTES", "1.5e6", "max_bytes", 1_500_000, False),
    ("CWM_MAX_RESPONSE_BYTES", "100", "max_bytes", 64 * 1024, True),
    ("CWM_MAX_RESPONSE_BYTES", "1000.5", "max_bytes", 32 * 1024 * 1024, True),
    ("CWM_MAX_RESPONSE_CHARS", None, "max_chars", 50_000, False),
    ("CWM_MAX_RESPONSE_CHARS", "3000", "max_chars", 3000, False),
    ("CWM_MAX_RESPONSE_CHARS", "10", "max_chars", 2000, True),
    ("CWM_MAX_RESPONSE_CHARS", "lots", "max_chars", 50_000, True),
]


@pytest.mark.parametrize(("name", "given", "attribute", "expected", "reported"), CALLS_CASES)
def test_each_call_setting_default_valid_and_invalid(
    name: str, given: str | None, attribute: str, expected: object, reported: bool
) -> None:
    env = {} if given is None else {name: given}
    calls = settings.calls(env)
    assert getattr(calls, attribute) == expected
    named = [problem for problem in calls.problems if name in problem]
    assert bool(named) == reported, calls.problems
    if reported:
        assert f"{name}={given.strip()!r}" in named[0]
        assert "using" in named[0] or " is on until" in named[0]


def test_an_unusable_value_says_what_is_used_instead() -> None:
    (problem,) = settings.calls({"CWM_TIMEOUT": "thirty"}).problems
    assert problem == "CWM_TIMEOUT='thirty' is not a number of seconds; using 30."
    (problem,) = settings.calls({"CWM_DEADLINE": "x"}).problems
    assert problem.endswith("using 2 x CWM_TIMEOUT.")
    (problem,) = settings.calls({"CWM_MAX_RESPONSE_CHARS": "1"}).problems
    assert problem == "CWM_MAX_RESPONSE_CHARS='1' is below the smallest allowed, 2,000; using 2,000."


def test_a_long_bad_value_is_quoted_short() -> None:
    (problem,) = settings.calls({"CWM_TIMEOUT": "9" * 500 + "x"}).problems
    assert len(problem) < 200


def test_write_allow_pairs_and_entries_that_allow_nothing() -> None:
    assert settings.calls({}).write_allow is None
    assert settings.calls({"CWM_WRITE_ALLOW": "  "}).write_allow is None
    calls = settings.calls({"CWM_WRITE_ALLOW": "post /service/tickets, PATCH /service/tickets/{id}, DROP tables"})
    assert calls.write_allow == {("POST", "/service/tickets"), ("PATCH", "/service/tickets/{id}")}
    assert calls.write_allow_problems == (
        "'DROP tables' is not 'METHOD /path' (e.g. 'POST /service/tickets'); it allows nothing",
    )
    nothing = settings.calls({"CWM_WRITE_ALLOW": "tickets"})
    assert nothing.write_allow == frozenset() and nothing.write_allow_problems


def test_connection_values_are_trimmed_and_only_those_given() -> None:
    given = settings.connection({"CONNECTWISE_API_URL": " https://x.example/v4_6_release/apis/3.0\n", "OTHER": "1"})
    assert given.values == {"api_url": "https://x.example/v4_6_release/apis/3.0"}
    assert settings.connection({}).values == {}
    assert set(settings.CONNECTION_VARIABLES.values()) == {n for n in settings.VARIABLES if n.startswith("CONNECTWISE")}


def test_profile_flag_then_environment_then_default() -> None:
    assert settings.profile(None, {}) == "default"
    assert settings.profile(None, {"CWM_PROFILE": " acme "}) == "acme"
    assert settings.profile("beta", {"CWM_PROFILE": "acme"}) == "beta"
    assert settings.profile(" ", {"CWM_PROFILE": ""}) == "default"


def test_paths_are_none_unless_given(tmp_path: Path) -> None:
    assert settings.paths({}) == settings.Paths()
    assert settings.paths({"CWM_DATA_DIR": "   "}).data_dir is None
    given = settings.paths(
        {
            "CWM_DATA_DIR": str(tmp_path / "data"),
            "CWM_LOG_DIR": "~/logs",
            "CWM_CONFIG_DIR": str(tmp_path / "config"),
            "CWM_CATALOG": str(tmp_path / "c.db"),
        }
    )
    assert given.data_dir == tmp_path / "data" and given.config_dir == tmp_path / "config"
    assert given.log_dir == Path.home() / "logs" and given.catalog == tmp_path / "c.db"


def test_locations_follow_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CWM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CWM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CWM_CATALOG", str(tmp_path / "mine.db"))
    assert locations.data_dir() == tmp_path / "data"
    assert credentials.config_path() == tmp_path / "config" / "config.ini"
    assert locations.catalog_candidates()[0] == ("CWM_CATALOG", tmp_path / "mine.db")
    monkeypatch.delenv("CWM_CATALOG")
    assert [source for source, _ in locations.catalog_candidates()] == ["user data", "packaged"]


def test_load_gathers_every_concern() -> None:
    loaded = settings.load({"CWM_PROFILE": "acme", "CWM_TIMEOUT": "x", "CWM_LOG_DIR": "/tmp/l"})
    assert loaded.connection.profile == "acme" and loaded.paths.log_dir == Path("/tmp/l")
    assert loaded.calls.timeout == 30.0 and loaded.problems == loaded.calls.problems != ()


def test_the_policy_is_the_settings() -> None:
    env = {"CWM_READ_ONLY": "yes", "CWM_WRITE_ALLOW": "POST /service/tickets", "CWM_TIMEOUT": "4"}
    policy = Policy.from_env(env)
    assert policy.read_only and policy.timeout == 4.0
    assert policy.write_allow == {("POST", "/service/tickets")}
    assert Policy.from_env({}) == Policy()  # the dataclass's defaults are the documented ones


def test_defaults_agree_with_the_modules_that_use_them() -> None:
    from cwm_gateway import client, shaping

    assert settings.DEFAULT_MAX_CHARS == shaping.DEFAULT_MAX_CHARS
    assert settings.DEFAULT_MAX_BYTES == client.DEFAULT_MAX_RESPONSE_BYTES


# -- one reader, every setting documented ---------------------------------------------------------------------------


def test_only_the_settings_module_reads_the_environment() -> None:
    readers = {
        str(path.relative_to(SRC)): path
        for path in SRC.rglob("*.py")
        if ENV_READ.search(path.read_text(encoding="utf-8"))
    }
    unexpected = sorted(set(readers) - set(READS_ENV_ON_ITS_OWN))
    assert not unexpected, f"{unexpected} read the environment: read it through cwm_gateway.settings instead"
    stale = sorted(set(READS_ENV_ON_ITS_OWN) - set(readers))
    assert not stale, f"{stale} no longer read the environment: remove them from READS_ENV_ON_ITS_OWN"


def test_every_variable_the_code_names_is_a_documented_setting() -> None:
    named: set[str] = set()
    for path in SRC.rglob("*.py"):
        named |= set(re.findall(r"\b(?:CWM|CONNECTWISE)_[A-Z][A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8")))
    assert named - set(settings.VARIABLES) == set()
    assert set(settings.VARIABLES) - named == set(), "a documented setting that nothing reads"


def test_every_setting_is_described() -> None:
    for variable in settings.VARIABLES.values():
        assert variable.meaning.endswith(".") and variable.type and variable.shown_default, variable.name
        assert settings.ENV in variable.sources, variable.name
    assert [v.name for v in settings.VARIABLES.values() if v.secret] == [
        "CONNECTWISE_PUBLIC_KEY",
        "CONNECTWISE_PRIVATE_KEY",
        "CWM_DATABASE_URL",  # holds the database password
        "CWM_SECRET_KEY",
    ]
    assert set(credentials.KEYRING_SETTINGS) == {"public_key", "private_key"}
    assert "private_key" not in credentials.CONFIG_SETTINGS


def test_the_readme_table_is_the_settings_module() -> None:
    text = README.read_text(encoding="utf-8")
    table = settings.markdown_table()
    assert table in text, "the README's configuration table differs from cwm_gateway.settings; paste:\n\n" + table
    rows = [line for line in text.splitlines() if re.match(r"\| `(?:CWM|CONNECTWISE)_", line)]
    documented = {row.split("`")[1]: row.split("|")[3].strip() for row in rows}
    assert documented == {v.name: v.shown_default for v in settings.VARIABLES.values()}


def test_the_table_shows_defaults_and_bounds() -> None:
    table = settings.markdown_table()
    assert "| `CWM_TIMEOUT` | seconds (>= 0.5) | 30 |" in table
    assert "| `CWM_MAX_RESPONSE_BYTES` | bytes (>= 65,536) | 33,554,432 |" in table
    assert "| `CONNECTWISE_PRIVATE_KEY` | text | - | env, keyring | yes |" in table


# -- doctor shows them ----------------------------------------------------------------------------------------------


def test_doctor_shows_limits_and_reports_unusable_values(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, built_catalog: Path
) -> None:
    for name in settings.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in ("CWM_DATA_DIR", "CWM_LOG_DIR", "CWM_CONFIG_DIR"):
        monkeypatch.setenv(name, str(tmp_path / name))
    monkeypatch.setenv("CWM_CATALOG", str(built_catalog))
    monkeypatch.setenv("CWM_TIMEOUT", "12")
    monkeypatch.setattr(credentials, "read_keyring", lambda profile: {})
    monkeypatch.setattr(credentials, "keyring_backend", _no_keyring)
    out = io.StringIO()
    assert doctor.run(None, check=False, out=out) == 1  # no credentials
    text = out.getvalue()
    assert re.search(r"CWM_TIMEOUT +12 s +\[env CWM_TIMEOUT\]", text), text
    assert re.search(r"CWM_DEADLINE +24 s \(2 x CWM_TIMEOUT\) +\[default\]", text), text
    assert "CWM_TIMEOUT='12'" not in text
    monkeypatch.setenv("CWM_TIMEOUT", "twelve")
    monkeypatch.setenv("CWM_READ_ONLY", "sure")
    assert "CWM_CONFIRM_WRITES off: the person confirms DELETE only" in text
    monkeypatch.setenv("CWM_CONFIRM_WRITES", "always")
    out = io.StringIO()
    doctor.run(None, check=False, out=out)
    problems = out.getvalue().split("Problems to fix:")[1]
    assert "CWM_TIMEOUT='twelve' is not a number of seconds; using 30." in problems
    assert "CWM_READ_ONLY='sure'" in problems
    assert "CWM_CONFIRM_WRITES='always'" in problems
    assert "CWM_READ_ONLY   on:" in out.getvalue()
    assert "CWM_CONFIRM_WRITES on: the person confirms every write" in out.getvalue()


def _no_keyring():
    raise credentials.KeyringUnavailable(credentials.NO_KEYRING)


def test_the_server_says_at_start_which_values_it_could_not_use(standin, built_catalog: Path, tmp_path: Path) -> None:
    """Over stdio, as a user meets it: the warning on stderr, and a mistyped read-only switch refusing writes."""
    from conftest import connectwise_env, gateway

    env = connectwise_env(standin, CWM_TIMEOUT="soon", CWM_READ_ONLY="enabled")
    with gateway(tmp_path, built_catalog, env, kind="module") as session:
        refused = session.call("execute_api_call", path="/service/tickets", method="POST", data={"summary": "x"})
        assert refused.is_error and "read-only" in refused.text
        stderr = session.stderr()
    assert "CWM_TIMEOUT='soon' is not a number of seconds; using 30." in stderr
    assert "CWM_READ_ONLY='enabled'" in stderr
    assert not [r for r in standin.requests if r.method == "POST"]
