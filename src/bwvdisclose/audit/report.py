"""The audit report for a review board: the statistics as HTML with charts, then PDF/A.

`report_html` fills `templates/audit.html.j2` (autoescaped, StrictUndefined; an
override folder is searched first); `render_report` turns it into PDF/A-3b with
`record.pdf.render_pdf`, which imports WeasyPrint only when called.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from bwvdisclose import __version__
from bwvdisclose.audit.charts import bars, columns, stacked_columns
from bwvdisclose.policy.models import OUTCOMES

TEMPLATE = "audit.html.j2"  # it includes audit.css inline, so the render fetches nothing
TITLE = "BWV disclosure audit report"
REPORT_FILE = "audit-report.json"
REPORT_KIND = "bwvdisclose audit report"


def templates_dir() -> Path:
    """The templates folder: the repo's top-level `templates/` or the copy inside the wheel."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "templates" / TEMPLATE).is_file():
            return parent / "templates"
    return Path(str(resources.files("bwvdisclose") / "_data" / "templates"))


def environment(override: Path | None = None) -> jinja2.Environment:
    folders = [str(override)] if override else []
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, str(templates_dir())]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def charts(stats: dict[str, Any]) -> dict[str, Any]:
    months = {m: parts["recommended"] for m, parts in stats["by_month"].items()}
    keys = [o for o in (*OUTCOMES, "none") if any(o in parts for parts in months.values())]
    by = stats["by"]
    return {
        "by_month": stacked_columns(months, keys),
        "exceptions": bars(by["exceptions"]),
        "blocks_referrals": bars(
            {f"blocked by {k}": v for k, v in by["blocks"].items()}
            | {f"referred to {k}": v for k, v in by["referrals"].items()}
        ),
        "time_to_decision": columns(stats["time_to_decision"]["histogram"]),
    }


def report_document(stats: dict[str, Any], *, scope: str, generated: dt.datetime) -> bytes:
    """The statistics the report shows, as canonical JSON: embedded in the PDF as its source."""
    doc = {
        "kind": REPORT_KIND,
        "scope": scope,
        "generated": f"{generated.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}",
        "tool_version": __version__,
        "stats": stats,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def report_html(
    stats: dict[str, Any],
    *,
    scope: str,
    generated: dt.datetime,
    override: Path | None = None,
    evidence_sha256: str = "",
    sealed_by: str = "",
) -> str:
    """The report's HTML: what was counted (`scope`), when, the tables and the charts."""
    template = environment(override).get_template(TEMPLATE)
    return template.render(
        stats=stats,
        charts=charts(stats),
        scope=scope,
        generated=f"{generated.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC",
        tool_version=__version__,
        evidence_file=REPORT_FILE,
        evidence_sha256=evidence_sha256,
        sealed_by=sealed_by,
    )


def render_report(
    stats: dict[str, Any],
    *,
    scope: str,
    generated: dt.datetime,
    override: Path | None = None,
    sealed_by: str = "",
) -> bytes:
    """The report as PDF/A-3b bytes, with its statistics embedded as `audit-report.json`.

    `sealed_by` names who will seal it (printed on the last page); sealing is the caller's.
    """
    from bwvdisclose.record.pdf import Attachment, render_pdf

    doc = report_document(stats, scope=scope, generated=generated)
    html = report_html(
        stats,
        scope=scope,
        generated=generated,
        override=override,
        evidence_sha256=hashlib.sha256(doc).hexdigest(),
        sealed_by=sealed_by,
    )
    evidence = Attachment(
        REPORT_FILE, doc, "application/json", "The statistics this report shows (JSON)"
    )
    return render_pdf(html, templates_dir(), [evidence], TITLE, created=generated)
