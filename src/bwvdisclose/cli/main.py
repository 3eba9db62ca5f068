"""The `bwvdisclose` command group and the one place errors become exit codes."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from bwvdisclose import __version__
from bwvdisclose.errors import EXIT_DOMAIN, BwvError
from bwvdisclose.safetext import hidden_char, visible

EXIT_INTERNAL = 70


class DomainError(click.ClickException):
    """A BwvError at the CLI edge: one line on stderr and the error's own exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it a ClassVar

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {visible(self.format_message())}", err=True)


# Commands load on first use, so `bwvdisclose evaluate` does not import rich, the case store,
# weasyprint or pyhanko. name -> (module, attribute, one-line help shown by `--help`).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "evaluate": (
        "evaluate_cmd",
        "evaluate_command",
        "Recommend for the answers in ANSWERS_FILE...",
    ),
    "criteria": ("criteria_cmd", "criteria_group", "Work with policy folders (criteria as data)."),
    "new": ("case_cmd", "new_command", "Open a case: ask the intake details, then start the..."),
    "assess": (
        "assess_cmd",
        "assess_command",
        "Answer the checklist for CASE_ID; resumes at the first...",
    ),
    "list": ("case_cmd", "list_command", "List the cases in the store with where each stands."),
    "show": (
        "case_cmd",
        "show_command",
        "Show a case: state, current recommendation with reasons,...",
    ),
    "decide": ("record_cmd", "decide_command", "Record the decision maker's decision on CASE_ID."),
    "sign": (
        "record_cmd",
        "sign_command",
        "Sign off the decision on CASE_ID in ROLE: a signed statement...",
    ),
    "record": (
        "record_cmd",
        "record_command",
        "Render the signed PDF/A-3a decision record for CASE_ID...",
    ),
    "extend": (
        "extend_cmd",
        "extend_command",
        "Add a fresh archive timestamp to a timestamped RECORD...",
    ),
    "records": (
        "records_cmd",
        "records_command",
        "List the decision records filed in CASE_ID, each checked...",
    ),
    "verify": (
        "case_cmd",
        "verify_command",
        "Verify a case (TARGET is a case ID) or a signed record...",
    ),
    "footage": (
        "footage_cmd",
        "footage_group",
        "Footage fingerprints: which files (by SHA-256) a case assessed.",
    ),
    "disclosed": (
        "disclosure_cmd",
        "disclosed_command",
        "Log a release of CASE_ID's footage: who released it, when,...",
    ),
    "withdrawn": (
        "disclosure_cmd",
        "withdrawn_command",
        "Log that CASE_ID's released footage was taken down, and why.",
    ),
    "keys": ("keys_cmd", "keys", "A TEST certificate authority and TEST signing identities."),
    "schema": ("case_cmd", "schema_group", "Print JSON Schemas for auditors' own tools."),
    "audit": ("audit_cmd", "audit_group", "Audit a whole case store: verify it, list and count..."),
    "store": (
        "store_cmd",
        "store_group",
        "Set up and move case stores (a folder, or a PostgreSQL...",
    ),
    "demo": (
        "demo_cmd",
        "demo_command",
        "Write a synthetic case store: invented cases, real hash...",
    ),
}


class BwvGroup(click.Group):
    """A group that loads commands lazily and maps every expected failure to one clear line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"bwvdisclose.cli.{module}"), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, short) for name, (_, _, short) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Refuse arguments holding control or direction-changing characters, or bad bytes."""
        for n, arg in enumerate(args, 1):
            problem = hidden_char(arg)
            if problem:
                raise click.UsageError(
                    f"argument {n} holds a control or direction-changing character or a byte "
                    f"that is not UTF-8 ({problem}); not accepted",
                    ctx,
                )
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BwvError as exc:
            raise DomainError(exc.message, exc.exit_code) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise click.Abort() from None
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly, as other tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except OSError as exc:
            raise DomainError(_describe_os_error(exc), EXIT_DOMAIN) from None
        except Exception as exc:
            if os.environ.get("BWVDISCLOSE_DEBUG"):
                raise
            raise DomainError(
                f"internal error: {type(exc).__name__}: {exc} "
                "(set BWVDISCLOSE_DEBUG=1 for the details and please report it)",
                EXIT_INTERNAL,
            ) from None


def _describe_os_error(exc: OSError) -> str:
    name = str(exc.filename or "")
    where = f": {name if len(name) <= 200 else name[:197] + '...'}" if name else ""
    return f"{exc.strerror or exc}{where}"


@click.group(
    cls=BwvGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="bwvdisclose")
def cli() -> None:
    """Decide whether to publish body-worn video (BWV) footage under a written policy.

    The tool recommends; a person decides. Every answer, decision and sign-off
    is kept in a tamper-evident case file.
    """


def main() -> None:
    cli(prog_name="bwvdisclose")
