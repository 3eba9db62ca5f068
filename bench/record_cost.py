"""Bounded cost of the record, and the footage fingerprint: one job per process.

  history N    render the record (HTML, PDF/A-3a) of a case of N events; the page
               summarises the middle of a long history, the embedded log keeps it all
  words F      render a case whose every free-text field is one unbroken word at
               fraction F of its limit (layout time must grow linearly, not worse)
  footage MB   SHA-256 of a file of MB mebibytes, made in a temporary folder and deleted

Prints the seconds the job took (imports excluded); the caller reads the peak RSS.
Run: .venv/bin/python bench/record_cost.py history 5000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from bwvdisclose.answers import load_answers
from bwvdisclose.case import Actor, fold
from bwvdisclose.case.events import ZERO_HASH, Event, build_event
from bwvdisclose.case.payloads import (
    AnswerChanged,
    AnswerRecorded,
    Body,
    CaseOpened,
    DecisionRecorded,
    RecommendationComputed,
)
from bwvdisclose.engine import evaluate
from bwvdisclose.limits import LIMITS
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.load import resolve_policy_folder
from bwvdisclose.policy.models import PolicyRef

ROOT = Path(__file__).resolve().parent.parent
START = dt.datetime(2026, 11, 14, 14, 0, tzinfo=dt.UTC)
OFFICER = Actor(name="PS Dan Reid", role="duty officer", number="2291")


def _chain(bodies: list[Body]) -> list[Event]:
    events: list[Event] = []
    prev = ZERO_HASH
    for n, body in enumerate(bodies, 1):
        event = build_event(n, START + dt.timedelta(seconds=n), OFFICER, prev, body)
        events.append(event)
        prev = event.hash
    return events


def case_events(n_events: int, fraction: float = 0.0) -> list[Event]:
    """A decided case of about n_events events; free text at `fraction` of its limits."""
    policy = load_policy()
    answers = load_answers(ROOT / "demo" / "answers" / "protest.yaml", policy)

    def word(field: str, fill: str) -> str:
        return fill * int(LIMITS[field] * fraction) if fraction else ""

    opened = CaseOpened(
        case_id="BWV-2026-0001",
        incident_ref=word("incident reference", "R") or "CAD 4417/14NOV",
        occurred=START,
        location=word("location", "L") or "Whitehall, London SW1",
        clips=[word("clip reference", "C") or "BWV-22914-0001"],
        policy=PolicyRef.of(policy),
        notes=word("notes", "N"),
    )
    bodies: list[Body] = [opened]
    for qid, a in answers.items():
        why = word("rationale", "W") or a.rationale
        bodies.append(AnswerRecorded(question=qid, value=a.value, rationale=why))
    value = True
    while len(bodies) < n_events - 2:
        value = not value
        bodies.append(
            AnswerChanged(
                question="force.shown",
                value=value,
                previous=not value,
                rationale=word("rationale", "W") or "Reviewed the clip again",
                reason=word("reason for a change", "X") or f"Second look ({len(bodies)})",
            )
        )
    values = {k: a.value for k, a in answers.items()} | {"force.shown": value}
    rec = evaluate(policy, values)
    bodies.append(RecommendationComputed(recommendation=rec.summary(), policy=rec.policy))
    bodies.append(
        DecisionRecorded(
            outcome=rec.outcome,  # type: ignore[arg-type]
            recommended=rec.outcome,
            departure=False,
            rationale=word("decision rationale", "D") or "Agree",
        )
    )
    return _chain(bodies)


def render(events: list[Event]) -> int:
    """The record's HTML and PDF/A-3a for these events (as `record` does, before the seal)."""
    from bwvdisclose.case.events import event_line
    from bwvdisclose.record.build import attachments_for, record_html
    from bwvdisclose.record.html import templates_dir
    from bwvdisclose.record.pdf import render_pdf

    policy = load_policy()
    log = b"".join(event_line(e) for e in events)
    attachments = attachments_for(log, resolve_policy_folder(None))
    html = record_html(fold(events), events, policy, attachments, START)
    return len(render_pdf(html, templates_dir(), attachments, "bench", created=START))


def footage(mebibytes: int) -> None:
    from bwvdisclose.footage import fingerprint

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        block = os.urandom(1024 * 1024)
        with open(path, "wb") as f:
            for _ in range(mebibytes):
                f.write(block)
        start = time.perf_counter()
        fp = fingerprint(path)
        took = time.perf_counter() - start
        assert fp.size == mebibytes * 1024 * 1024
    print(took)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("job", choices=["history", "words", "footage"])
    parser.add_argument("size", type=float)
    args = parser.parse_args()
    if args.job == "footage":
        footage(int(args.size))
        return
    if args.job == "history":
        events = case_events(int(args.size))
    else:
        events = case_events(60, fraction=args.size)
    render(case_events(40))  # warm-up: imports, fonts
    start = time.perf_counter()
    pages = render(events)
    print(f"pdf {pages} bytes", file=sys.stderr)
    print(time.perf_counter() - start)


if __name__ == "__main__":
    main()
