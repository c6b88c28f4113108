"""The `il2bot` command line: ask, check, serve, db upgrade, report."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.paths import content_root

MAX_PAGE = 50  # the last match `ask --page` may show

if TYPE_CHECKING:
    import argparse
    from datetime import timedelta


def _parser() -> argparse.ArgumentParser:
    import argparse

    p = argparse.ArgumentParser(
        prog="il2bot",
        description="Sourced answers about IL-2 (aldesleukin, Proleukin) and IL-7 therapies.",
    )
    p.add_argument("--root", help="content folder holding facts/ and seeds/ (default: the installed content)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser(
        "ask",
        help="answer a question from the fact cards",
        description="Answer a question from the fact cards.",
    )
    ask.add_argument(
        "query", nargs="*", help='what you would type after /il2, e.g. "side-effects aldesleukin"'
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--blocks", action="store_true",
                     help="print the Block Kit message the Slack app would send (for Block Kit Builder)")
    ask.add_argument("--full", action="store_true",
                     help="print every fact, its verbatim quotes and the references")
    ask.add_argument("--page", type=_page, default=0, metavar="N",
                     help="show match N+1 instead of the best one (the 'Also' matches)")
    ask.add_argument(
        "--limit", type=_positive, default=3, metavar="N", help="show at most N matches (default 3)"
    )

    check = sub.add_parser(
        "check",
        help="validate every card, quote and vocabulary entry",
        description="Validate the fact cards against the schema and the seeds.",
    )
    check.add_argument("--coverage", action="store_true", help="also list seed lines that no card cites")

    serve = sub.add_parser(
        "serve",
        help="run the Slack app",
        description="Run the Slack app (Socket Mode when SLACK_APP_TOKEN is set).",
    )
    serve.add_argument(
        "--http", action="store_true", help="serve HTTP at /slack/events instead of Socket Mode"
    )
    serve.add_argument("--host", default="0.0.0.0", help="HTTP host (default 0.0.0.0)")
    serve.add_argument("--port", type=_port, default=3000, help="HTTP port (default 3000)")
    serve.add_argument("--workers", type=int, default=1,
                       help="HTTP worker processes (default 1; above 1 needs PostgreSQL)")

    db = sub.add_parser("db", help="manage the database", description="Manage the database.")
    db_sub = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    db_sub.add_parser(
        "upgrade",
        help="apply the schema migrations",
        description="Create or upgrade the tables (at IL2BOT_DATABASE_URL, else in the SQLite file "
        "in the data folder).",
    )

    report = sub.add_parser(
        "report",
        help="what the bot declined, answers voted wrong or outdated, card use",
        description="The curators' report: declined questions grouped by similarity, answers voted "
        "Not right or Outdated, each card's use and helpful share, cards never used, abstention per week.",
    )
    report.add_argument("--since", type=_since, default="7d", metavar="SPAN",
                        help="how far back: 12h, 7d, 4w (default 7d)")
    fmt = report.add_mutually_exclusive_group()
    fmt.add_argument("--json", dest="fmt", action="store_const", const="json", help="print one JSON object")
    fmt.add_argument("--csv", dest="fmt", action="store_const", const="csv", help="print CSV")
    fmt.add_argument("--post", metavar="CHANNEL", help="post a compact summary to this Slack channel")
    return p


def _since(text: str) -> timedelta:
    import argparse

    from bot.storage.report import parse_since

    try:
        return parse_since(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix("--since ")) from None


def _positive(text: str) -> int:
    import argparse

    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= n <= 50:
        raise argparse.ArgumentTypeError("must be between 1 and 50")
    return n


def _page(text: str) -> int:
    import argparse

    if not text.isdigit() or int(text) > MAX_PAGE:
        raise argparse.ArgumentTypeError(f"'{text}' is not a page number (0 to {MAX_PAGE})")
    return int(text)


def _port(text: str) -> int:
    import argparse

    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return n


def cmd_check(root: str, coverage: bool) -> int:
    """Run every content check; print problems as file:line lines, or one summary line."""
    from pathlib import Path

    from bot.cards.checks import run_checks, uncited_lines
    from bot.cards.loader import Layout

    report = run_checks(Layout(Path(root)))
    for err in report.errors:
        print(err)
    if coverage:
        rows = list(uncited_lines(report.loaded))
        for file, line, text in rows:
            print(f"{file}:{line}: not cited: {text[:100]}")
        print(f"coverage: {len(rows)} seed lines not cited by any card")
    if not report.ok:
        print(f"{len(report.errors)} problem{'s' if len(report.errors) != 1 else ''} found", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def _quick_ask(argv: Sequence[str]) -> int | None:
    """`il2bot ask [--json|--blocks] [--full] [--limit N] [--page N] WORDS`, read without argparse (it
    costs more than the answer).

    Returns None for anything else (help, other commands, options it does not know, bad values),
    which then goes through argparse and its messages.
    """
    if not argv or argv[0] != "ask":
        return None
    as_json, limit, page = False, 3, 0
    flags = {"--json": False, "--blocks": False, "--full": False}
    words: list[str] = []
    args = iter(argv[1:])
    for arg in args:
        if arg == "--":
            words += args
        elif arg in flags:
            flags[arg] = True
        elif arg == "--limit" or arg.startswith("--limit="):
            value = arg.partition("=")[2] if "=" in arg else next(args, "")
            if not value.isdigit() or not 1 <= int(value) <= 50:
                return None
            limit = int(value)
        elif arg == "--page" or arg.startswith("--page="):
            value = arg.partition("=")[2] if "=" in arg else next(args, "")
            if not value.isdigit() or int(value) > MAX_PAGE:
                return None
            page = int(value)
        elif arg.startswith("-") and len(arg) > 1:
            return None
        else:
            words.append(arg)
    from bot.ask import cmd_ask

    as_json = flags["--json"]
    return cmd_ask(content_root(), " ".join(words), as_json=as_json, limit=limit, blocks=flags["--blocks"],
                   full=flags["--full"], page=page)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the il2bot command."""
    try:
        quick = _quick_ask(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    if quick is not None:
        return quick
    args = _parser().parse_args(argv)
    root = args.root or content_root()
    try:
        if args.command == "check":
            return cmd_check(root, args.coverage)
        if args.command == "ask":
            from bot.ask import cmd_ask

            return cmd_ask(root, " ".join(args.query), as_json=args.json, limit=args.limit,
                           blocks=args.blocks, full=args.full, page=args.page)
        if args.command == "serve":
            from bot.slack.serve import cmd_serve

            return cmd_serve(http=args.http, host=args.host, port=args.port, root=args.root,
                             workers=args.workers)
        if args.command == "db":
            from bot.storage.commands import cmd_db_upgrade

            return cmd_db_upgrade()
        if args.command == "report":
            from bot.storage.commands import cmd_report

            return cmd_report(root, args.since, args.fmt or "text", args.post)
        _parser().print_help()
        return 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def run() -> None:
    """Console entry point: main(); after `ask`, exit without tearing down the heap object by object.

    The answer is printed and flushed; skipping the interpreter's final clean-up of the deck's
    tens of thousands of small objects saves a sizeable share of a one-shot `il2bot ask`. Other
    commands exit normally (`serve` lets queued replies finish).
    """
    ask = "ask" in sys.argv[1:3]
    if ask:
        # One question, then exit: the cyclic garbage collector would only walk the modules and
        # the deck being loaded, again and again (a fifth of the process's time), and free nothing.
        import gc

        gc.disable()
        # It compares the query with a few dozen card titles: in Python that takes far less time
        # than loading rapidfuzz's compiled modules (the same scores, bot/matcher/fuzzy.py).
        from bot.matcher.fuzzy import use_pure_python

        use_pure_python()
    code = main()
    if not ask:
        sys.exit(code)
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
