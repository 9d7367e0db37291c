"""Release automation and the MCP registry entry: the GitHub workflows (which cannot run here) are
checked by actionlint and must build with the repository's own scripts; server.json, the README's
mcp-name line, the image label and the sources agree on name, version and settings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO
from test_install import VERSION

WORKFLOWS = REPO / ".github" / "workflows"
SERVER = json.loads((REPO / "server.json").read_text())


def workflow(name: str) -> str:
    return (WORKFLOWS / name).read_text()


def uncommented(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def test_the_workflows_pass_actionlint_with_shellcheck() -> None:
    assert shutil.which("shellcheck"), "shellcheck is missing: scripts/test installs it (actionlint checks run: steps)"
    actionlint = Path(sys.executable).parent / "actionlint"
    done = subprocess.run([str(actionlint), "-no-color"], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in WORKFLOWS.iterdir()) == ["ci.yml", "release.yml"]


def test_ci_runs_the_readmes_test_command() -> None:
    readme_block = (REPO / "README.md").read_text().split("```")[1].strip().splitlines()
    assert readme_block[1] == "scripts/test"  # what .ci/run executes
    assert "run: bash .ci/run" in workflow("ci.yml")


def test_a_version_tag_builds_every_artifact_with_the_repositorys_scripts() -> None:
    text = workflow("release.yml")
    assert re.search(r"^on:\n  push:\n    tags: \[\"v\*\"\]$", text, re.M)
    steps = uncommented(text)
    for command in ("-m build --outdir dist", "scripts/build-mcpb --wheel", "scripts/build-image --tag", "--save"):
        assert command in steps, command
    assert 'scripts/build-pyz --platform "${{ matrix.platform }}" --python-version "${{ matrix.python }}"' in steps
    helped = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build-pyz"), "--help"], capture_output=True, text=True
    )
    platforms = set(re.search(r"--platform \{([^}]+)\}", helped.stdout).group(1).split(","))
    matrix = set(re.search(r"platform: \[([^\]]+)\]", text).group(1).replace(" ", "").split(","))
    assert matrix == platforms  # a pyz for every platform build-pyz supports
    pythons = re.search(r"python: \[([^\]]+)\]", text).group(1)
    assert '"3.10"' in pythons  # down to the oldest Python pyproject.toml admits
    assert "gh release create" in steps and "dist/*" in steps
    assert "server.json" in steps  # the registry entry with the bundle's hash rides along


def test_the_registry_entry_names_every_package_at_this_version() -> None:
    name = SERVER["name"]
    assert re.fullmatch(r"io\.github\.[A-Za-z0-9-]+/cwm-gateway", name)
    assert SERVER["version"] == VERSION and len(SERVER["description"]) <= 100
    owner_repo = name.removeprefix("io.github.")
    assert SERVER["repository"] == {"url": f"https://github.com/{owner_repo}", "source": "github"}
    pyproject = (REPO / "pyproject.toml").read_text()
    assert f'Homepage = "https://github.com/{owner_repo}"' in pyproject  # what PyPI links to
    packages = {p["registryType"]: p for p in SERVER["packages"]}
    assert set(packages) == {"pypi", "oci", "mcpb"}
    assert (packages["pypi"]["identifier"], packages["pypi"]["version"]) == ("cwm-gateway", VERSION)
    assert packages["oci"]["identifier"] == f"ghcr.io/{owner_repo}:{VERSION}"
    mcpb = packages["mcpb"]
    assert (
        mcpb["identifier"] == f"https://github.com/{owner_repo}/releases/download/v{VERSION}/cwm-gateway-{VERSION}.mcpb"
    )
    assert re.fullmatch(r"[0-9a-f]{64}", mcpb["fileSha256"])  # the real hash is in build/server.json
    assert all(p["transport"] == {"type": "stdio"} for p in SERVER["packages"])


def test_the_registry_entry_lists_the_settings_the_server_reads_with_the_keys_secret() -> None:
    from cwm_gateway.credentials import ENVIRONMENT

    readable = {*ENVIRONMENT.values(), "CWM_READ_ONLY", "CWM_WRITE_ALLOW"}
    for package in SERVER["packages"]:
        variables = {v["name"]: v for v in package["environmentVariables"]}
        assert set(variables) <= readable, package["registryType"]
        assert {"CONNECTWISE_COMPANY_ID", "CONNECTWISE_CLIENT_ID", "CONNECTWISE_PUBLIC_KEY"} <= set(variables)
        secret = {n for n, v in variables.items() if v.get("isSecret")}
        assert secret == {"CONNECTWISE_PUBLIC_KEY", "CONNECTWISE_PRIVATE_KEY"}
        assert all(v["description"] for v in variables.values())


def test_the_readme_and_the_image_carry_the_name_the_registry_checks() -> None:
    readme = (REPO / "README.md").read_text()
    assert re.findall(r"mcp-name: (\S+)", readme) == [SERVER["name"]]
    dockerfile = (REPO / "Dockerfile").read_text()
    assert f'io.modelcontextprotocol.server.name="{SERVER["name"]}"' in dockerfile
