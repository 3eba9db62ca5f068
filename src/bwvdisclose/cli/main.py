"""The `bwvdisclose` command group and the one place errors become exit codes."""

from __future__ import annotations

import os
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


class BwvGroup(click.Group):
    """A group that maps every expected failure of a subcommand to one clear line."""

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


def _register() -> None:
    # Command modules stay light: weasyprint and pyhanko load inside the commands that use them.
    from bwvdisclose.cli import (
        assess_cmd,
        case_cmd,
        criteria_cmd,
        evaluate_cmd,
        keys_cmd,
        record_cmd,
    )

    for module in (evaluate_cmd, criteria_cmd, case_cmd, assess_cmd, record_cmd, keys_cmd):
        module.register(cli)


_register()


def main() -> None:
    cli(prog_name="bwvdisclose")
