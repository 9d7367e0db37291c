"""The Claude Desktop bundle (MCPB): scripts/build-mcpb's output, checked by the MCPB tools
(npm @anthropic-ai/mcpb), unpacked, and started the way its manifest says, with the settings a user
types into Claude Desktop's form resolved by the same library."""

from __future__ import annotations

import email
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, isolated_env
from mcp_client import McpSession
from test_install import UV_CACHE, VERSION

NODE = REPO / "build" / "node"
MCPB = NODE / "node_modules" / ".bin" / "mcpb"
BUNDLE = REPO / "build" / f"cwm-gateway-{VERSION}.mcpb"
# getMcpConfigForManifest: how an MCPB host turns the manifest and the user's answers into a command.
RESOLVE = """
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getMcpConfigForManifest } from "@anthropic-ai/mcpb";
const [dir, answers, home] = process.argv.slice(1);
const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
const config = await getMcpConfigForManifest({
  manifest, extensionPath: dir, userConfig: JSON.parse(answers), pathSeparator: "/",
  systemDirs: { HOME: home, DESKTOP: home, DOCUMENTS: home, DOWNLOADS: home },
});
console.log(JSON.stringify(config ?? null));
"""
SETUP_QUESTIONS = {
    "site",
    "api_url",
    "company_id",
    "client_id",
    "public_key",
    "private_key",
    "read_only",
    "write_allow",
}


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """build/cwm-gateway-VERSION.mcpb, unpacked by `mcpb unpack`: the folder."""
    assert MCPB.exists(), f"{MCPB} is missing: scripts/test installs it (npm install --prefix build/node ...)"
    built = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build-mcpb")], capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stderr[-3000:]
    unpacked = tmp_path_factory.mktemp("bundle")
    done = subprocess.run([str(MCPB), "unpack", str(BUNDLE), str(unpacked)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return unpacked


def manifest(bundle: Path) -> dict[str, Any]:
    return json.loads((bundle / "manifest.json").read_text())


def resolve(bundle: Path, answers: dict[str, Any], home: Path) -> dict[str, Any] | None:
    done = subprocess.run(
        ["node", "--input-type=module", "-e", RESOLVE, str(bundle), json.dumps(answers), str(home)],
        capture_output=True,
        text=True,
        cwd=NODE,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def answers_for(standin, **extra: Any) -> dict[str, Any]:
    return {
        "api_url": standin.base_url,
        "company_id": standin.company_id,
        "client_id": standin.client_id,
        "public_key": standin.public_key,
        "private_key": standin.private_key,
        **extra,
    }


def start(bundle: Path, config: dict[str, Any], home: Path):
    """The resolved command, with uv on the PATH as an MCPB host provides it; uv installs the dependencies."""
    env = {
        **os.environ,  # the machine's network settings (certificates), as a desktop app has them
        **isolated_env(home),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "UV_CACHE_DIR": str(UV_CACHE),
        "UV_PYTHON_DOWNLOADS": "never",
        **config.get("env", {}),
    }
    env.pop("PYTHONPATH")
    env.pop("CWM_CATALOG", None)
    return McpSession.start(config["command"], config["args"], env)


def test_mcpb_validate_passes(bundle: Path) -> None:
    done = subprocess.run([str(MCPB), "validate", str(bundle)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "validation passes" in done.stdout


def test_the_form_asks_what_setup_asks_and_keeps_the_keys_secret(bundle: Path, tmp_path: Path) -> None:
    from cwm_gateway.credentials import ENVIRONMENT

    form = manifest(bundle)["user_config"]
    assert set(form) == SETUP_QUESTIONS
    assert {key for key, field in form.items() if field.get("sensitive")} == {"public_key", "private_key"}
    assert {key for key, field in form.items() if field.get("required")} == {
        "company_id",
        "client_id",
        "public_key",
        "private_key",
    }
    assert resolve(bundle, {"company_id": "acme"}, tmp_path) is None  # Claude Desktop asks for the rest first
    required_only = {"company_id": "acme", "client_id": "c", "public_key": "p", "private_key": "k"}
    env = resolve(bundle, required_only, tmp_path)["env"]
    assert set(env) <= {*ENVIRONMENT.values(), "CWM_READ_ONLY", "CWM_WRITE_ALLOW"}  # variables the server reads
    assert not any("${" in value for value in env.values())  # an empty field arrives empty, not as a placeholder
    assert env["CONNECTWISE_PRIVATE_KEY"] == "k" and env["CWM_READ_ONLY"] == "false"


def test_the_bundle_started_as_its_manifest_says_answers_and_calls_connectwise(
    bundle: Path, standin, tmp_path: Path
) -> None:
    described = manifest(bundle)
    config = resolve(bundle, answers_for(standin), tmp_path)
    assert config["command"] == "uv"
    with start(bundle, config, tmp_path) as session:
        tools = session.list_tools()
        assert [tool.name for tool in tools] == [tool["name"] for tool in described["tools"]]
        assert described["prompts_generated"] is True and session.list_prompts()
        static = described["_meta"]["com.microsoft.windows"]["static_responses"]["tools/list"]["tools"]
        live = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]
        keys = ("name", "title", "description", "annotations")
        assert [{k: t.get(k) for k in keys} for t in static] == [{k: t.get(k) for k in keys} for t in live]
        boards = session.call("execute_api_call", path="/service/boards")
        assert not boards.is_error, boards.text
    assert any(request.authorized for request in standin.requests)


def test_the_read_only_switch_in_the_form_stops_writes(bundle: Path, standin, tmp_path: Path) -> None:
    config = resolve(bundle, answers_for(standin, read_only=True), tmp_path)
    sent_before = len(standin.requests)
    with start(bundle, config, tmp_path) as session:
        created = session.call(
            "execute_api_call", path="/service/tickets", method="POST", data={"summary": "x", "board": {"id": 1}}
        )
        assert created.is_error and "CWM_READ_ONLY" in created.text
    assert not [r for r in standin.requests[sent_before:] if r.method == "POST"]


def test_one_bundle_serves_every_platform(bundle: Path) -> None:
    """No compiled file inside: uv installs the dependencies (some compiled) for the user's machine."""
    with zipfile.ZipFile(BUNDLE) as archive:
        names = archive.namelist()
    assert not [name for name in names if name.endswith((".so", ".pyd", ".dylib", ".exe"))]
    assert "src/cwm_gateway/data/catalog.db" in names
    metadata = email.message_from_bytes((bundle / "src" / f"cwm_gateway-{VERSION}.dist-info" / "METADATA").read_bytes())
    wanted = [r for r in metadata.get_all("Requires-Dist") if "extra ==" not in r]
    pyproject = (bundle / "pyproject.toml").read_text()
    assert all(json.dumps(requirement) in pyproject for requirement in wanted)
    assert manifest(bundle)["compatibility"]["platforms"] == ["darwin", "win32", "linux"]


def test_the_registry_entry_carries_the_bundles_hash(bundle: Path) -> None:
    entry = json.loads((REPO / "build" / "server.json").read_text())
    (package,) = [p for p in entry["packages"] if p["registryType"] == "mcpb"]
    assert package["fileSha256"] == hashlib.sha256(BUNDLE.read_bytes()).hexdigest()
    assert package["identifier"].endswith(f"/v{VERSION}/{BUNDLE.name}")
