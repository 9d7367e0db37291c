#!/usr/bin/env python3
"""Start-up time: from process start to the answers of initialize + tools/list.

Compares, in the same run, the seed product (installed from PyPI as
iflow-mcp-jasondsmith72-cwm-api-gateway-mcp with mcp<2, into build/bench/seed) with our
pyz (on the mcp 2.x SDK) warm (already unpacked) and on its first run (unpacking).
Prints medians and ratios.

    python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "build" / "bench"
PYZ = REPO / "build" / "cwm-gateway.pyz"
SEED = "iflow-mcp-jasondsmith72-cwm-api-gateway-mcp"
MESSAGES = "".join(
    json.dumps(m) + "\n"
    for m in (
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "bench", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    )
)


def seed_command() -> list[str]:
    env_dir = BENCH / "seed"
    script = env_dir / ("Scripts/cwm-api-gateway-mcp.exe" if os.name == "nt" else "bin/cwm-api-gateway-mcp")
    if not script.exists():
        print("bench: installing the seed product into build/bench/seed", file=sys.stderr)
        shutil.rmtree(env_dir, ignore_errors=True)
        venv.EnvBuilder(with_pip=True).create(env_dir)
        python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", SEED, "mcp<2"], check=True)
        # Compile once, as an installer would: this machine may set PYTHONDONTWRITEBYTECODE.
        subprocess.run([str(python), "-m", "compileall", "-q", str(env_dir)], check=False, capture_output=True)
    return [str(script)]


def time_to_tools(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert process.stdin and process.stdout
    process.stdin.write(MESSAGES)
    process.stdin.flush()
    while True:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"{command[0]} exited before answering tools/list")
        if json.loads(line).get("id") == 2:
            break
    elapsed = time.perf_counter() - started
    process.kill()
    process.wait()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    if not PYZ.is_file():
        raise SystemExit("build the pyz first: scripts/build-pyz")

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTWISE_")}
    seed = seed_command()
    candidates: dict[str, tuple[list[str], dict[str, str]]] = {}
    warm_root = Path(tempfile.mkdtemp(prefix="cwm-bench-shiv-"))
    candidates["seed (mcp 1.x)"] = (seed, base_env)
    candidates["cwm-gateway pyz, warm"] = ([sys.executable, str(PYZ)], {**base_env, "SHIV_ROOT": str(warm_root)})

    results: dict[str, list[float]] = {name: [] for name in candidates}
    for command, env in candidates.values():  # warm-up: unpack the pyz files, fill OS caches
        time_to_tools(command, env)
    for _ in range(args.runs):  # interleaved, so load changes hit every candidate alike
        for name, (command, env) in candidates.items():
            results[name].append(time_to_tools(command, env))
    first_runs = []
    for _ in range(3):
        cold = Path(tempfile.mkdtemp(prefix="cwm-bench-cold-"))
        first_runs.append(time_to_tools([sys.executable, str(PYZ)], {**base_env, "SHIV_ROOT": str(cold)}))
        shutil.rmtree(cold, ignore_errors=True)
    shutil.rmtree(warm_root, ignore_errors=True)

    seed_median = statistics.median(results["seed (mcp 1.x)"])
    print(
        f"start-up to initialize + tools/list, median of {args.runs} runs ({sys.platform}, Python "
        f"{sys.version_info.major}.{sys.version_info.minor})"
    )
    print("| server | median s | vs seed |")
    print("|---|---|---|")
    for name, samples in results.items():
        median = statistics.median(samples)
        print(f"| {name} | {median:.3f} | {median / seed_median:.2f}x |")
    cold_median = statistics.median(first_runs)
    print(f"| cwm-gateway pyz, first run (unpacking) | {cold_median:.3f} | {cold_median / seed_median:.2f}x |")
    print(f"pyz size: {PYZ.stat().st_size / 1_000_000:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
