"""What serving on stdio loads at start: not the SDK's client, and the SDK still whole when asked for.

Start-up time itself is measured by bench/startup.py; these check the two things that make it
shorter (see protocol.py) without changing what the SDK offers.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

SERVER_START = """
import gc, json, sys
import cwm_gateway.cli, cwm_gateway.logs, cwm_gateway.server as server, cwm_gateway.stdio
server.build_server()
loaded = sorted(name for name in sys.modules if name == "mcp.client" or name.startswith("mcp.client."))
print(json.dumps({"client": loaded, "gc": gc.isenabled()}))
from mcp import Client, ClientSession, MCPError
import mcp
print(json.dumps({"whole": [Client.__name__, ClientSession.__name__, MCPError.__name__, mcp.types.Tool.__name__]}))
"""


def test_the_server_starts_without_the_sdk_client_and_the_sdk_stays_whole() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SERVER_START],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": ""},
        check=True,
    )
    started, whole = (json.loads(line) for line in done.stdout.splitlines())
    assert started == {"client": [], "gc": True}
    assert whole == {"whole": ["Client", "ClientSession", "MCPError", "Tool"]}
