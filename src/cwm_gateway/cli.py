"""Command line: ``cwm-gateway [serve]``, ``build-db``, ``search`` ...

Imports stay inside the command functions: ``serve`` is started by MCP clients for
every session, and it should load nothing the other commands need.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__

TTY_NOTE = (
    "cwm-gateway: this is an MCP server speaking JSON-RPC on stdin/stdout, started by an MCP client "
    "(Claude Desktop, Claude Code, ...). To try it: 'cwm-gateway serve --sandbox' under an MCP client, "
    "'cwm-gateway setup' to store your ConnectWise keys, 'cwm-gateway doctor' to check them. Ctrl-C stops it."
)


def _cmd_serve(args: argparse.Namespace) -> int:
    from . import logs, shutdown

    shutdown.defer_signals()
    logs.configure()
    _warn_unusable_settings()
    if sys.stdin.isatty():  # a person typed it; an MCP client would have given a pipe
        print(TTY_NOTE, file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C on Windows, where signals are not deferred
        _serve(args)
    shutdown.exit_without_waiting()
    return 0


def _warn_unusable_settings() -> None:
    """Values the gateway could not use as given, on stderr and in the log (doctor lists them too)."""
    import logging

    from . import settings

    for problem in settings.calls().problems:
        logging.getLogger("cwm_gateway.settings").warning("%s", problem)


def _serve(args: argparse.Namespace) -> None:
    from .server import serve

    if args.sandbox:
        from .sandbox.serve import sandbox_runtime

        with sandbox_runtime(port=args.port) as runtime:
            serve(runtime=runtime)
    else:
        serve(profile=args.profile)


def _cmd_setup(args: argparse.Namespace) -> int:
    from . import logs
    from .setup_command import SetupError, run

    logs.configure(level="WARNING", to_file=False)
    try:
        return run(args)
    except SetupError as exc:
        print(f"cwm-gateway setup: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\ncwm-gateway setup: cancelled; nothing was stored.", file=sys.stderr)
        return 130


def _cmd_doctor(args: argparse.Namespace) -> int:
    from . import logs
    from .doctor import run

    logs.configure(level="ERROR", to_file=False)
    return run(args.profile, check=not args.no_check, out=sys.stdout)


def _cmd_config_claude(args: argparse.Namespace) -> int:
    from .claude_config import desktop_snippet, write_desktop_config
    from .credentials import profile_name

    profile = profile_name(args.profile)
    if not args.write:
        print(json.dumps(desktop_snippet(profile), indent=2))
        return 0
    try:
        report = write_desktop_config(profile, Path(args.file) if args.file else None)
    except (OSError, ValueError) as exc:
        print(f"cwm-gateway config claude: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


def _cmd_build_db(args: argparse.Namespace) -> int:
    from . import locations
    from .catalog.builder import build_catalog
    from .catalog.spec import SpecError

    out = args.out or locations.user_catalog()
    try:
        report = build_catalog(args.spec, out)
    except SpecError as exc:
        print(f"cwm-gateway build-db: {exc}", file=sys.stderr)
        return 2
    print(
        f"Built {report.path}: {report.operations} operations, {report.categories} categories, "
        f"{report.schemas} schemas (API version {report.api_version or 'unknown'})."
    )
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from . import discovery
    from .catalog.search import Searcher
    from .catalog.store import Catalog, CatalogError

    query = " ".join(args.query)
    try:
        catalog = Catalog.open_default()
    except CatalogError as exc:
        print(f"cwm-gateway search: {exc}", file=sys.stderr)
        return 2
    searcher = Searcher(catalog)
    if args.keyword:
        result = discovery.search_endpoints(searcher, query, args.limit)
    else:
        result = discovery.natural_language_search(searcher, query, args.limit)
    if args.json:
        print(json.dumps(result.data, indent=2))
    else:
        print(result.text)
    return 1 if result.is_error else 0


def _cmd_memory(args: argparse.Namespace) -> int:
    from .memory import FastMemoryError, MemoryStore, read_seed_database

    store = MemoryStore()
    try:
        if args.memory_command == "export":
            return _export_memory(store, args.file)
        if args.memory_command == "list":
            for query in store.list(args.search):
                flag = "\tUNREADABLE" if query.unreadable else ""
                print(f"#{query.id}\t{query.usage_count}x\t{query.method} {query.path}\t{query.description}{flag}")
            return 0
        if args.memory_command == "import":
            raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
            document = json.loads(raw)
            entries = document.get("queries", []) if isinstance(document, dict) else document
            if not isinstance(entries, list):
                raise ValueError("expected a cwm-gateway export (an object with 'queries') or a list of queries")
            report = store.import_entries(_with_templates(entries))
        else:
            report = store.import_entries(_with_templates(read_seed_database(args.path)))
    except (OSError, ValueError, RecursionError, FastMemoryError) as exc:
        print(f"cwm-gateway memory {args.memory_command}: {exc}", file=sys.stderr)
        return 2
    for reason in report.refused:
        print(f"cwm-gateway memory {args.memory_command}: skipped {reason}", file=sys.stderr)
    print(
        f"Imported {report.added} saved queries ({report.duplicates} already present, "
        f"{len(report.refused)} unusable) into {store.path}."
    )
    return 0


def _export_memory(store, file: str | None) -> int:
    entries, unreadable = store.export()
    document = {"format": "cwm-gateway-fast-memory", "version": 1, "queries": entries}
    payload = json.dumps(document, indent=2)
    for query in unreadable:
        print(f"cwm-gateway memory export: left out #{query.id}: {query.unreadable}", file=sys.stderr)
    if file and file != "-":
        Path(file).write_text(payload + "\n", encoding="utf-8")
        print(f"Exported {len(entries)} saved queries to {file}.", file=sys.stderr)
    else:
        print(payload)
    return 0


def _with_templates(entries: list[dict]) -> list[dict]:
    """Attach each entry's catalog template, so reuse and ranking can find it."""
    from .catalog.store import Catalog, CatalogError

    try:
        catalog = Catalog.open_default()
    except CatalogError:
        return entries
    out = []
    for entry in entries:
        if not isinstance(entry, dict):  # refused, with its number, by the import itself
            out.append(entry)
            continue
        match = catalog.resolve(str(entry.get("path") or "")) if str(entry.get("path") or "").startswith("/") else None
        out.append({**entry, "template": match.template if match else entry.get("template") or entry.get("path")})
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cwm-gateway",
        description="MCP server for the ConnectWise Manage REST API. Without a command it serves MCP on stdio.",
    )
    parser.add_argument("--version", action="version", version=f"cwm-gateway {__version__}")
    profile_help = "settings profile, for several ConnectWise tenants (default: $CWM_PROFILE or 'default')"
    parser.add_argument("--profile", metavar="NAME", default=None, help=profile_help)
    # Accepted after the command too: "cwm-gateway setup --profile acme".
    with_profile = argparse.ArgumentParser(add_help=False)
    with_profile.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help=profile_help)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", parents=[with_profile], help="serve MCP over stdio (the default)")
    serve.add_argument(
        "--sandbox",
        action="store_true",
        help="serve against a built-in ConnectWise stand-in with sample data: try every tool with no account",
    )
    serve.add_argument(
        "--port", type=int, metavar="N", help="with --sandbox: the stand-in listens on 127.0.0.1:N (default: any free)"
    )
    serve.set_defaults(func=_cmd_serve)

    setup = commands.add_parser(
        "setup",
        parents=[with_profile],
        help="store ConnectWise credentials once (keyring + config file)",
        description="Find the API URL for your site, check the keys against ConnectWise, then keep the private "
        "key in the OS keyring and the rest in the config file. Asks for what is missing when run in a terminal.",
    )
    setup.add_argument("--site", metavar="HOST_OR_URL", help="your ConnectWise site, e.g. na.myconnectwise.net")
    setup.add_argument("--api-url", metavar="URL", help="the full API URL, instead of discovering it from --site")
    setup.add_argument("--company-id", metavar="ID", help="the company ID you log in with")
    setup.add_argument("--public-key", metavar="KEY", help="the API member's public key")
    setup.add_argument("--client-id", metavar="GUID", help="your clientId from developer.connectwise.com")
    setup.add_argument(
        "--private-key-stdin", action="store_true", help="read the private key from standard input (for scripts)"
    )
    setup.add_argument("--no-verify", action="store_true", help="store without checking the keys with ConnectWise")
    setup.set_defaults(func=_cmd_setup)

    doctor = commands.add_parser(
        "doctor", parents=[with_profile], help="show where each setting comes from and test the connection"
    )
    doctor.add_argument("--no-check", action="store_true", help="skip the live GET /system/info check")
    doctor.set_defaults(func=_cmd_doctor)

    config = commands.add_parser("config", help="configuration for MCP clients")
    config_commands = config.add_subparsers(dest="config_command", metavar="CLIENT", required=True)
    claude = config_commands.add_parser(
        "claude", parents=[with_profile], help="print (or --write) the Claude Desktop mcpServers entry"
    )
    claude.add_argument("--write", action="store_true", help="merge it into Claude Desktop's config (backup first)")
    claude.add_argument("--file", metavar="PATH", help="the config file to change (default: Claude Desktop's)")
    claude.set_defaults(func=_cmd_config_claude)

    build = commands.add_parser("build-db", help="build the API catalog from an OpenAPI 3 definition (manage.json)")
    build.add_argument("spec", metavar="SPEC", help="path to the OpenAPI 3 JSON definition")
    build.add_argument("--out", metavar="PATH", help="where to write the catalog (default: the user data directory)")
    build.set_defaults(func=_cmd_build_db)

    search = commands.add_parser("search", help="search the catalog from the terminal")
    search.add_argument("query", nargs="+", metavar="QUERY", help="what you are looking for")
    search.add_argument("-n", "--limit", type=int, default=10, help="number of results (default 10)")
    search.add_argument("--keyword", action="store_true", help="keyword ranking (search_api_endpoints)")
    search.add_argument("--json", action="store_true", help="print the structured result as JSON")
    search.set_defaults(func=_cmd_search)

    memory = commands.add_parser("memory", help="export, import or list saved queries (fast memory)")
    memory_commands = memory.add_subparsers(dest="memory_command", metavar="ACTION", required=True)
    export = memory_commands.add_parser("export", help="write saved queries as JSON (to FILE or stdout)")
    export.add_argument("file", nargs="?", metavar="FILE", help="output file (default: stdout)")
    imported = memory_commands.add_parser("import", help="merge saved queries from an export, without duplicates")
    imported.add_argument("file", metavar="FILE", help="a file written by 'memory export' ('-' for stdin)")
    seed = memory_commands.add_parser("import-seed", help="import the seed API Gateway product's fast_memory_api.db")
    seed.add_argument("path", metavar="PATH", help="path to fast_memory_api.db")
    listed = memory_commands.add_parser("list", help="list saved queries, most used first")
    listed.add_argument("search", nargs="?", help="only entries whose description or path contains this")
    memory.set_defaults(func=_cmd_memory)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from .buildinfo import mismatch

    problem = mismatch()
    if problem:
        print(f"cwm-gateway: {problem}", file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["serve", *(argv if argv is not None else sys.argv[1:])])
    if not hasattr(args, "sandbox"):
        args.sandbox, args.port = False, None
    if args.port is not None and not args.sandbox:
        parser.error("--port is for the sandbox's stand-in: cwm-gateway serve --sandbox --port 8080")
    if args.func is _cmd_serve:
        return int(args.func(args) or 0)
    return _run_printing(args)


def _run_printing(args: argparse.Namespace) -> int:
    """Run a command that prints; a reader that stops early (``doctor | head``) ends it quietly."""
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, not as a traceback at interpreter exit
        return code
    except BrokenPipeError:
        # What the reader wanted is printed. Point stdout at /dev/null so the final flush is silent.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + 13  # as a process ended by SIGPIPE reports it
