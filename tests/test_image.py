"""The OCI image: the Dockerfile's rules, then the image scripts/build-image builds (once per run),
run for real with podman and spoken to over stdio."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import REPO, isolated_env
from mcp_client import McpSession

TAG = "localhost/cwm-gateway-test:latest"
# runc here cannot raise the host's limits for a container; the same as containers.conf default_ulimits.
ULIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
CANARY = "canary-private-key-that-must-not-reach-a-layer"


def dockerfile() -> str:
    return (REPO / "Dockerfile").read_text()


def server_name() -> str:
    return json.loads((REPO / "server.json").read_text())["name"]


def podman() -> str:
    found = shutil.which("podman")
    assert found, "podman is missing: scripts/test installs it (apt-get install podman buildah runc fuse-overlayfs)"
    return found


@pytest.fixture(scope="session")
def image(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """scripts/build-image, as a user runs it; a private key in their shell must not reach the image."""
    archive = tmp_path_factory.mktemp("image") / "image.tar"
    env = {**os.environ, "CONNECTWISE_PRIVATE_KEY": CANARY}
    built = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build-image"), "--tag", TAG, "--save", str(archive)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1500,
    )
    assert built.returncode == 0, built.stderr[-4000:]
    return TAG, archive


def run_args(image: str, *args: str) -> list[str]:
    return ["run", "-i", "--rm", *ULIMITS, *args, image]


# -- the Dockerfile -------------------------------------------------------------------


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run([hadolint, str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_the_pyz_for_its_python_as_a_non_root_user_without_secrets() -> None:
    text = dockerfile()
    base_python = re.search(r"^ARG BASE=\S*python:(3\.\d+)-slim$", text, re.M).group(1)
    assert re.search(rf"^ARG PYZ=build/cwm-gateway-linux-x86_64-py{re.escape(base_python)}\.pyz$", text, re.M)
    build_image = (REPO / "scripts" / "build-image").read_text()
    assert f'PYTHON_VERSION = "{base_python}"' in build_image  # the pyz it builds, and bookworm's python3
    user = re.findall(r"^USER (\S+)$", text, re.M)
    assert user and user[-1] not in ("root", "0")
    assert not re.search(r"^HEALTHCHECK", text, re.M)
    assert not re.search(r"^(ENV|ARG).*(PRIVATE|SECRET|PASSWORD|PUBLIC_KEY)", text, re.M | re.I)
    ignore = (REPO / ".dockerignore").read_text().split()
    assert "*" in ignore and "!build/cwm-gateway-*.pyz" in ignore


# -- the image, built and run ------------------------------------------------------------


def test_the_image_serves_the_sandbox_over_stdio(image: tuple[str, Path], tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    with McpSession.start(podman(), [*run_args(image[0]), "serve", "--sandbox"], env) as session:
        assert len(session.list_tools()) >= 11
        tickets = session.call("execute_api_call", path="/service/tickets", params={"pageSize": 3})
        assert not tickets.is_error, tickets.text
        assert tickets.text.startswith("[SANDBOX: sample data") and tickets.data["item_count"] == 3
        found = session.call("natural_language_api_search", query="close ticket 12")
        assert found.data["results"][0]["path"] == "/service/tickets/{id}"


def test_the_image_calls_connectwise_with_credentials_from_docker_run_e(
    image: tuple[str, Path], standin, tmp_path: Path
) -> None:
    """The README's `docker run -i --rm -e CONNECTWISE_...` line, against the stand-in on this host."""
    names = ["CONNECTWISE_API_URL", "CONNECTWISE_COMPANY_ID", "CONNECTWISE_PUBLIC_KEY", "CONNECTWISE_PRIVATE_KEY"]
    names.append("CONNECTWISE_CLIENT_ID")
    values = [standin.base_url, standin.company_id, standin.public_key, standin.private_key, standin.client_id]
    env = {**isolated_env(tmp_path), **dict(zip(names, values))}
    passed = [arg for name in names for arg in ("-e", name)]  # values come from podman's environment
    with McpSession.start(podman(), run_args(image[0], "--network", "host", *passed), env) as session:
        boards = session.call("execute_api_call", path="/service/boards")
        assert not boards.is_error, boards.text
        assert boards.data["item_count"] >= 1
    assert any(request.authorized for request in standin.requests)


def test_the_image_is_labelled_for_the_registry_and_runs_as_a_user(image: tuple[str, Path]) -> None:
    inspected = subprocess.run([podman(), "image", "inspect", image[0]], capture_output=True, text=True, check=True)
    config = json.loads(inspected.stdout)[0]["Config"]
    assert config["Labels"]["io.modelcontextprotocol.server.name"] == server_name()
    assert config["User"] not in ("", "root", "0")
    assert config["Entrypoint"][-1] == "/opt/cwm-gateway/cwm-gateway.pyz"
    whoami = subprocess.run(
        [podman(), *run_args(image[0], "--entrypoint", "id"), "-u"], capture_output=True, text=True, timeout=120
    )
    assert whoami.stdout.strip() == config["User"]


def test_the_image_trusts_the_public_certificate_authorities(image: tuple[str, Path]) -> None:
    """ConnectWise cloud is HTTPS: the image needs CA certificates (a bootstrapped base includes them)."""
    probe = "import ssl; print(ssl.create_default_context().cert_store_stats()['x509_ca'])"
    done = subprocess.run(
        [podman(), *run_args(image[0], "--entrypoint", "python3"), "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 50


def test_the_saved_image_is_an_oci_archive_without_secrets(image: tuple[str, Path]) -> None:
    with tarfile.open(image[1]) as archive:
        names = archive.getnames()
        assert "oci-layout" in names and "index.json" in names
        index = json.load(archive.extractfile("index.json"))
        assert index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"].endswith(":latest")
        for member in archive.getmembers():
            if member.isfile():  # the config (history, environment) and every layer, unpacked
                data = archive.extractfile(member).read()
                data = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
                assert CANARY.encode() not in data, member.name
