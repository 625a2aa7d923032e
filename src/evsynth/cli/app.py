"""The ``evsynth`` command: a thin shell over the library.

Every user error (:class:`evsynth._core.errors.EvsynthError`) ends in one line on stderr and
exit status 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer
from sqlalchemy.exc import SQLAlchemyError
from typer.exceptions import TyperException

from evsynth._core.errors import EvsynthError
from evsynth.cli.economics import cea_command, icers_command, sf6d_command
from evsynth.cli.meta import meta
from evsynth.cli.nma import nma
from evsynth.cli.prioritise import rank, simulate
from evsynth.cli.project_cmds import import_, init
from evsynth.cli.qualitative import appraisal, appraise, cerqual, checklists, qdpx_app, themes
from evsynth.cli.records_cmds import dedupe, records
from evsynth.cli.run import run
from evsynth.cli.screening_cmds import (
    agreement,
    conflicts,
    export,
    fulltext,
    prisma,
    screen,
    status,
)

app = typer.Typer(
    name="evsynth",
    help="Systematic review and evidence synthesis for health technology assessment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command(name="init")(init)
app.command(name="import")(import_)
app.command(name="records")(records)
app.command(name="dedupe")(dedupe)
app.command(name="screen")(screen)
app.command(name="conflicts")(conflicts)
app.command(name="agreement")(agreement)
app.command(name="prisma")(prisma)
app.command(name="status")(status)
app.command(name="fulltext")(fulltext)
app.command(name="export")(export)
app.command(name="meta")(meta)
app.command(name="nma")(nma)
app.command(name="simulate")(simulate)
app.command(name="rank")(rank)
app.command(name="icers")(icers_command)
app.command(name="cea")(cea_command)
app.command(name="sf6d")(sf6d_command)
app.command(name="checklists")(checklists)
app.command(name="appraise")(appraise)
app.command(name="appraisal")(appraisal)
app.command(name="themes")(themes)
app.command(name="cerqual")(cerqual)
app.add_typer(qdpx_app, name="qdpx")
app.command(name="run")(run)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn user errors into one clear line and exit status 2."""
    try:
        app(args=argv, standalone_mode=False)
    except EvsynthError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from None
    except SQLAlchemyError as exc:
        # A locked, full or damaged database: one line, and nothing half-written (every write
        # is a transaction that has rolled back).
        sys.stderr.write(
            f"error: the project database failed ({type(exc).__name__}: {exc.args[0] if exc.args else exc})\n"
        )
        raise SystemExit(2) from None
    except typer.Abort:
        sys.stderr.write("aborted\n")
        raise SystemExit(1) from None
    except TyperException as exc:
        # Usage errors (unknown option, bad choice): typer's message on one line, exit status 2.
        format_message = getattr(exc, "format_message", None)
        message = format_message() if callable(format_message) else str(exc)
        ctx = getattr(exc, "ctx", None)
        command = getattr(ctx, "command_path", None) or "evsynth"
        message = " ".join(message.split()).rstrip(".")
        if message:  # empty after no_args_is_help, which has printed the help already
            sys.stderr.write(f"error: {message}. Try '{command} --help'\n")
        raise SystemExit(int(getattr(exc, "exit_code", 2))) from None


if __name__ == "__main__":
    main()
