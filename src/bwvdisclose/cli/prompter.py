"""The checklist at a terminal: rich panels and menus, input from the keyboard."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bwvdisclose.checklist import options
from bwvdisclose.explain import show_value
from bwvdisclose.policy.models import AnswerValue, Question, Section


class TerminalPrompter:
    """Implements the checklist's Prompter with rich output and plain `input()`."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def section(self, section: Section, clauses: list[tuple[str, str]]) -> None:
        body = Text()
        if section.intro:
            body.append(section.intro + "\n")
        for key, clause in clauses:
            body.append(f"\n{key} ", style="bold cyan")
            body.append(clause, style="italic")
        self.console.print()
        self.console.print(
            Panel(
                body,
                title=f"[bold]{section.title}[/]",
                title_align="left",
                border_style="cyan",
                expand=self.console.is_terminal,
            )
        )

    def question(self, q: Question, position: int, total: int, current: AnswerValue | None) -> None:
        self.console.print()
        head = Text(f"[{position}/{total}] ", style="dim")
        head.append(q.prompt, style="bold")
        head.append(f"  ({q.id})", style="dim")
        self.console.print(head)
        menu = Table.grid(padding=(0, 2))
        for key, value, label in options(q):
            mark = (
                "*"
                if current is not None and (value == show_value(current) or value == current)
                else " "
            )
            menu.add_row(f"  {mark}[bold]{key}[/]", label)
        if q.type == "multi" and isinstance(current, list):
            chosen = [value for _, value, _ in options(q) if value in current]
            menu.add_row("   ", f"[dim]current: {', '.join(chosen) or '(none)'}[/]")
        self.console.print(menu)
        if q.rationale_required:
            self.console.print(
                "  [dim]This answer goes on the record with a one-line rationale.[/]"
            )

    def help(self, q: Question, clauses: list[tuple[str, str]]) -> None:
        body = Text(q.help or "No further help for this question.")
        for key, clause in clauses:
            body.append(f"\n\n{key} ", style="bold cyan")
            body.append(clause, style="italic")
        self.console.print(
            Panel(
                body,
                title=f"Help: {q.id}",
                title_align="left",
                border_style="dim",
                expand=self.console.is_terminal,
            )
        )

    def read(self, prompt: str) -> str:
        self.console.print(f"[green]{prompt}[/]")
        return input("> ")

    def say(self, text: str) -> None:
        self.console.print(f"[yellow]{text}[/]")
