"""A ConnectWise Manage stand-in: a real HTTP server on 127.0.0.1 for end-to-end tests and the sandbox mode.

    with StandIn() as cw:
        urllib.request.urlopen(...)  # against cw.base_url, with cw.headers

Importing this package is cheap: the sample data is generated when a server starts.
"""

from __future__ import annotations

from cwm_gateway.sandbox.server import Listener, RecordedRequest, StandIn

__all__ = ["Listener", "RecordedRequest", "StandIn"]
