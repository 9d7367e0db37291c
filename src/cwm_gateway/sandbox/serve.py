"""``cwm-gateway serve --sandbox``: every tool, against sample data, with no account.

The stand-in runs in-process on 127.0.0.1; saved queries go to a temporary directory so
the sandbox never touches a real fast memory; every result says the data is sample data.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..credentials import Setting, Settings
from ..runtime import Runtime
from .server import StandIn

BANNER = "SANDBOX: sample data from a built-in ConnectWise stand-in, not your ConnectWise"
log = logging.getLogger(__name__)


@contextmanager
def sandbox_runtime() -> Iterator[Runtime]:
    standin = StandIn().start()
    scratch = Path(tempfile.mkdtemp(prefix="cwm-gateway-sandbox-"))
    settings = Settings(profile="sandbox")
    for key, value in {
        "api_url": standin.base_url,
        "company_id": standin.company_id,
        "public_key": standin.public_key,
        "private_key": standin.private_key,
        "client_id": standin.client_id,
    }.items():
        settings.values[key] = Setting(value, "sandbox")
    log.warning(
        "cwm-gateway sandbox: MCP on stdio with SAMPLE DATA from a ConnectWise stand-in at %s. Connect an MCP "
        "client, e.g. npx @modelcontextprotocol/inspector python3 cwm-gateway.pyz serve --sandbox",
        standin.base_url,
    )
    try:
        yield Runtime(
            profile="sandbox",
            settings=lambda: settings,
            data_note=BANNER,
            memory_path=scratch / "fast_memory.db",
        )
    finally:
        standin.stop()
        shutil.rmtree(scratch, ignore_errors=True)
