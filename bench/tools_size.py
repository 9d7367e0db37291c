#!/usr/bin/env python3
"""How many tokens our tools/list costs the model, against the seed product's (target: <= 1.3x).

Tokens are estimated as characters / 4 of the tools/list result as it travels (compact JSON). Both
servers are started and asked over stdio: the seed as ``bench/startup.py`` installs it (into
build/bench/seed), ours from the source tree. Also prints each of our tools, largest first, and the
part a model is given (name, description, input schema) apart from the rest (title, annotations,
output schema), which clients read.

    python bench/tools_size.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from startup import MESSAGES, seed_command  # noqa: E402

TARGET = 1.3


def tools_of(command: list[str], env: dict[str, str]) -> list[dict[str, Any]]:
    """The tools of a server's tools/list, asked over stdio."""
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert process.stdin and process.stdout
    process.stdin.write(MESSAGES)
    process.stdin.flush()
    try:
        for line in process.stdout:
            message = json.loads(line)
            if message.get("id") == 2:
                return list(message["result"]["tools"])
        raise RuntimeError(f"{command[0]} exited before answering tools/list")
    finally:
        process.kill()
        process.wait()


def chars(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def main() -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONNECTWISE_", "CWM_"))}
    ours = tools_of([sys.executable, "-m", "cwm_gateway"], {**env, "PYTHONPATH": str(REPO / "src")})
    seed = tools_of(seed_command(), env)
    our_chars, seed_chars = chars({"tools": ours}), chars({"tools": seed})
    ratio = our_chars / seed_chars
    print("| tools/list | tools | characters | tokens (chars/4) | vs seed | target |")
    print("|---|---|---|---|---|---|")
    print(f"| seed | {len(seed)} | {seed_chars:,} | {seed_chars / 4:,.0f} | 1.00x | |")
    print(
        f"| cwm-gateway | {len(ours)} | {our_chars:,} | {our_chars / 4:,.0f} | {ratio:.2f}x | <= {TARGET}x "
        f"{'ok' if ratio <= TARGET else 'OVER'} |"
    )
    model = sum(chars({k: t.get(k) for k in ("name", "description", "inputSchema")}) for t in ours)
    print(f"of ours, name + description + inputSchema: {model / 4:,.0f} tokens; the rest (title, annotations,")
    print(f"outputSchema): {(our_chars - model) / 4:,.0f} tokens")
    print()
    print("| tool | tokens |")
    print("|---|---|")
    for tool in sorted(ours, key=chars, reverse=True):
        print(f"| {tool['name']} | {chars(tool) / 4:.0f} |")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
