"""Command line: ``cwm-gateway [serve]``, ``build-db``, ``search`` ...

Imports stay inside the command functions: ``serve`` is started by MCP clients for
every session, and it should load nothing the other commands need.

A command that cannot do its job raises ``CliError``; ``main`` prints its message and turns
it into the exit code (see ``EXIT_CODES``). ``serve`` keeps its own signal handling.
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

OK, FAILED, UNUSABLE_INPUT, INTERRUPTED, CLOSED_PIPE = 0, 1, 2, 130, 128 + 13
EXIT_CODES = f"""exit codes:
  {OK}    done
  {FAILED}    the command ran and failed: setup stored nothing, doctor found problems, search refused the query
  {UNUSABLE_INPUT}    unusable input or installation: bad arguments, a file or definition that cannot be read,
       no catalog, a pyz built for another Python
  {INTERRUPTED}  interrupted (Ctrl-C), or setup cancelled
  {CLOSED_PIPE}  the reader of the output went away (cwm-gateway doctor | head)"""


class CliError(Exception):
    """A command could not do its job: ``main`` prints the message (if any) and exits with ``exit_code``."""

    def __init__(self, message: str = "", exit_code: int = FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


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


def _cmd_serve_http(args: argparse.Namespace) -> int:
    """The team server; a setting it cannot start with is reported with what to set (exit code 2)."""
    from . import logs
    from .results import ToolError

    logs.configure(level="INFO", to_file=False)
    try:
        from .team.http import serve
    except ImportError as exc:
        return _report(
            CliError(
                f"serve --http needs the server extra ({exc.name} is missing): pip install 'cwm-gateway[server]'.",
                UNUSABLE_INPUT,
            ),
            "serve",
        )
    try:
        serve(args.host, args.port or 8000, max(1, args.workers), args.json_response)
    except ToolError as exc:
        return _report(CliError(exc.message, UNUSABLE_INPUT), "serve --http")
    except KeyboardInterrupt:
        pass
    return OK


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


def _cmd_setup(args: argparse.Namespace) -> None:
    from . import logs
    from .setup_command import SetupError, run

    logs.configure(level="WARNING", to_file=False)
    try:
        run(args)
    except SetupError as exc:
        raise CliError(str(exc), FAILED) from None
    except (KeyboardInterrupt, EOFError):
        raise CliError("cancelled; nothing was stored.", INTERRUPTED) from None


def _cmd_doctor(args: argparse.Namespace) -> None:
    from . import logs
    from .doctor import run

    logs.configure(level="ERROR", to_file=False)
    if run(args.profile, check=not args.no_check, out=sys.stdout) != OK:
        raise CliError(exit_code=FAILED)  # the report printed says what to fix


def _cmd_config_claude(args: argparse.Namespace) -> None:
    from .claude_config import desktop_snippet, write_desktop_config
    from .credentials import profile_name

    profile = profile_name(args.profile)
    if not args.write:
        print(json.dumps(desktop_snippet(profile), indent=2))
        return
    try:
        report = write_desktop_config(profile, Path(args.file) if args.file else None)
    except (OSError, ValueError) as exc:
        raise CliError(str(exc), UNUSABLE_INPUT) from None
    print("\n".join(report.lines()))


def _cmd_build_db(args: argparse.Namespace) -> None:
    from . import locations
    from .catalog.builder import build_catalog
    from .catalog.spec import SpecError

    out = args.out or locations.user_catalog()
    try:
        report = build_catalog(args.spec, out)
    except SpecError as exc:
        raise CliError(str(exc), UNUSABLE_INPUT) from None
    print(
        f"Built {report.path}: {report.operations} operations, {report.categories} categories, "
        f"{report.schemas} schemas (API version {report.api_version or 'unknown'})."
    )


def _cmd_search(args: argparse.Namespace) -> None:
    from . import discovery, locations
    from .catalog.search import Searcher
    from .catalog.store import CatalogError
    from .results import ToolError

    query = " ".join(args.query)
    try:
        catalog = locations.open_catalog()
    except CatalogError as exc:
        raise CliError(str(exc), UNUSABLE_INPUT) from None
    searcher = Searcher(catalog)
    search = discovery.search_endpoints if args.keyword else discovery.natural_language_search
    try:
        result = search(searcher, query, args.limit)
    except ToolError as exc:  # the tools' own refusal (an empty or overlong query, a bad limit)
        result = exc.result()
    print(json.dumps(result.data, indent=2) if args.json else result.text)
    if result.is_error:
        raise CliError(exit_code=FAILED)  # printed above


def _cmd_memory(args: argparse.Namespace) -> None:
    from .memory import FastMemoryError, MemoryStore

    store = MemoryStore()
    try:
        if args.memory_command == "export":
            _export_memory(store, args.file)
        elif args.memory_command == "list":
            _list_memory(store, args.search)
        else:
            _import_memory(store, args)
    except BrokenPipeError:
        raise  # the reader left (memory list | head): not a problem with the store or the file
    except (OSError, ValueError, RecursionError, FastMemoryError) as exc:
        raise CliError(str(exc), UNUSABLE_INPUT) from None


def _list_memory(store, search: str | None) -> None:
    for query in store.list(search):
        flag = "\tUNREADABLE" if query.unreadable else ""
        print(f"#{query.id}\t{query.usage_count}x\t{query.method} {query.path}\t{query.description}{flag}")


def _import_memory(store, args: argparse.Namespace) -> None:
    """``memory import FILE`` (an export) or ``memory import-seed PATH`` (the seed's database)."""
    from .memory import read_seed_database

    if args.memory_command == "import":
        raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        document = json.loads(raw)
        entries = document.get("queries", []) if isinstance(document, dict) else document
        if not isinstance(entries, list):
            raise ValueError("expected a cwm-gateway export (an object with 'queries') or a list of queries")
    else:
        entries = read_seed_database(args.path)
    report = store.import_entries(_with_templates(entries))
    for reason in report.refused:
        print(f"cwm-gateway memory {args.memory_command}: skipped {reason}", file=sys.stderr)
    print(
        f"Imported {report.added} saved queries ({report.duplicates} already present, "
        f"{len(report.refused)} unusable) into {store.path}."
    )


def _export_memory(store, file: str | None) -> None:
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


def _with_templates(entries: list[dict]) -> list[dict]:
    """Attach each entry's catalog template, so reuse and ranking can find it."""
    from . import locations
    from .catalog.store import CatalogError

    try:
        catalog = locations.open_catalog()
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


PROFILE_HELP = "settings profile, for several ConnectWise tenants (default: $CWM_PROFILE or 'default')"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cwm-gateway",
        description="MCP server for the ConnectWise Manage REST API. Without a command it serves MCP on stdio.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cwm-gateway {__version__}")
    parser.add_argument("--profile", metavar="NAME", default=None, help=PROFILE_HELP)
    # Accepted after the command too: "cwm-gateway setup --profile acme".
    with_profile = argparse.ArgumentParser(add_help=False)
    with_profile.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help=PROFILE_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_serve(commands, with_profile)
    _add_setup(commands, with_profile)
    _add_doctor_and_config(commands, with_profile)
    _add_catalog_commands(commands)
    _add_memory(commands)
    _add_users(commands)
    return parser


def _add_serve(commands, with_profile: argparse.ArgumentParser) -> None:
    serve = commands.add_parser("serve", parents=[with_profile], help="serve MCP over stdio (the default)")
    serve.add_argument(
        "--sandbox",
        action="store_true",
        help="serve against a built-in ConnectWise stand-in with sample data: try every tool with no account",
    )
    serve.add_argument(
        "--port",
        type=int,
        metavar="N",
        help="with --http: the port to listen on (default 8000); with --sandbox: the stand-in's (default: any free)",
    )
    serve.add_argument(
        "--http",
        action="store_true",
        help="the team server: MCP over streamable HTTP at /mcp with OAuth sign-in (see README 'Team server')",
    )
    serve.add_argument("--host", default="127.0.0.1", help="with --http: the address to listen on (default 127.0.0.1)")
    serve.add_argument("--workers", type=int, default=1, metavar="N", help="with --http: worker processes (default 1)")
    serve.add_argument(
        "--json-response", action="store_true", help="with --http: answer with JSON bodies instead of SSE streams"
    )
    serve.set_defaults(func=_cmd_serve)


def _add_setup(commands, with_profile: argparse.ArgumentParser) -> None:
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


def _add_doctor_and_config(commands, with_profile: argparse.ArgumentParser) -> None:
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


def _add_catalog_commands(commands) -> None:
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


def _add_memory(commands) -> None:
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


def _add_users(commands) -> None:
    from .team.users import add_parser  # the parser only: psycopg and cryptography load when a command runs

    add_parser(commands, _cmd_users)


def _cmd_users(args: argparse.Namespace) -> None:
    from . import logs
    from .team.users import run

    logs.configure(level="WARNING", to_file=False)
    run(args)


def main(argv: Sequence[str] | None = None) -> int:
    from .buildinfo import mismatch

    problem = mismatch()
    if problem:
        return _report(CliError(problem, UNUSABLE_INPUT), "")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["serve", *(argv if argv is not None else sys.argv[1:])])
    if args.func is _cmd_serve:
        if args.http:
            if args.sandbox:
                parser.error("--http serves real ConnectWise keys from the team database; --sandbox is for stdio")
            return _cmd_serve_http(args)
        if args.port is not None and not args.sandbox:
            parser.error("--port is for the sandbox's stand-in or --http: cwm-gateway serve --sandbox --port 8080")
        return _cmd_serve(args)
    return _run_printing(args)


def _run_printing(args: argparse.Namespace) -> int:
    """Run a command that prints; map what it raises to the exit code (``EXIT_CODES``)."""
    try:
        args.func(args)
        sys.stdout.flush()  # a closed pipe shows up here, not as a traceback at interpreter exit
        return OK
    except CliError as exc:
        return _report(exc, _command_name(args))
    except KeyboardInterrupt:
        return _report(CliError("interrupted.", INTERRUPTED), _command_name(args))
    except BrokenPipeError:
        # A reader that stops early (``doctor | head``) has what it wanted. Point stdout at
        # /dev/null so that the final flush at exit is silent.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return CLOSED_PIPE  # as a process ended by SIGPIPE reports it


def _command_name(args: argparse.Namespace) -> str:
    """ "memory import", "config claude", "setup": how messages name the command."""
    subcommands = ("config_command", "memory_command", "users_command")
    parts = (args.command, *(getattr(args, name, None) for name in subcommands))
    return " ".join(part for part in parts if part)


def _report(error: CliError, command: str) -> int:
    if error.message:
        lead = "\n" if error.exit_code == INTERRUPTED else ""  # past the ^C on the prompt's line
        where = f"cwm-gateway {command}" if command else "cwm-gateway"
        print(f"{lead}{where}: {error.message}", file=sys.stderr)
    return error.exit_code
