"""HTML to PDF/A-3a with WeasyPrint, sources attached, and a fetcher that cannot wander.

WeasyPrint is imported inside the functions so that loading the CLI stays quick.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bwvdisclose.errors import RecordError
from bwvdisclose.inputfile import read_input
from bwvdisclose.record.html import MAX_TEMPLATE_FILE

PDF_VARIANT = "pdf/a-3a"
_ATTACHMENT_SCHEME = "bwvdisclose-attachment"


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the record as its PDF/A-3 source (AFRelationship /Source)."""

    name: str
    data: bytes = field(repr=False)
    mime_type: str = "application/octet-stream"
    description: str = ""


class FetchRefused(RecordError):
    """The renderer asked for something outside the record's own folder."""


def resolve_inside(url: str, base_dir: Path) -> Path:
    """The local path for a `file:` URL inside base_dir, or FetchRefused. Pure; no I/O but stat."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        raise FetchRefused(f"refused to fetch {parts.scheme or 'relative'} URL: {url[:80]}")
    if parts.netloc not in ("", "localhost"):
        raise FetchRefused(f"refused to fetch file URL on host {parts.netloc!r}")
    root = base_dir.resolve(strict=True)
    target = Path(unquote(parts.path)).resolve(strict=False)
    if not target.is_relative_to(root):
        raise FetchRefused(f"refused to fetch a file outside {root}: {url[:80]}")
    if not target.is_file():
        raise FetchRefused(f"no such file inside {root}: {url[:80]}")
    return target


def make_fetcher(base_dir: Path, attachments: Sequence[Attachment] = ()) -> Any:
    """A WeasyPrint URL fetcher that serves only files inside base_dir and our attachments."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class _Fetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(allowed_protocols=["file"], allow_redirects=False, timeout=1)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(f"{_ATTACHMENT_SCHEME}:"):
                item = attachments[int(url.split(":", 1)[1])]
                head = {"Content-Type": item.mime_type}
                return URLFetcherResponse(url, body=item.data, headers=head)
            try:
                path = resolve_inside(url, base_dir)
            except FetchRefused as exc:
                self.refused.append(exc.message)
                raise FatalURLFetchingError(exc.message) from None
            try:
                body = read_input(path, "template file", MAX_TEMPLATE_FILE, RecordError)
            except RecordError as exc:
                self.refused.append(exc.message)
                raise FatalURLFetchingError(exc.message) from None
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=body, headers={"Content-Type": kind})

    return _Fetcher()


def render_pdf(
    html: str,
    base_dir: Path,
    attachments: Sequence[Attachment],
    title: str,
    *,
    created: dt.datetime | None = None,
) -> bytes:
    """Render html to PDF/A-3a bytes, each attachment embedded as an associated /Source file.

    Relative URLs resolve in base_dir and nothing outside it is ever read; any
    refused fetch or WeasyPrint error stops the render with a RecordError.
    `created` (default now) dates the record and its attachments.
    """
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    fetcher = make_fetcher(base_dir, attachments)
    when = (created or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    pdf_attachments = [
        weasyprint.Attachment(
            url=f"{_ATTACHMENT_SCHEME}:{index}",
            url_fetcher=fetcher,
            name=item.name,
            description=item.description or item.name,
            created=when,
            modified=when,
            relationship="Source",
        )
        for index, item in enumerate(attachments)
    ]
    base_url = base_dir.resolve().as_uri() + "/"
    errors = _ErrorLog()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(errors)
    try:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        rendered = document.render()
        rendered.metadata.title = title
        rendered.metadata.generator = f"bwvdisclose (WeasyPrint {weasyprint.__version__})"
        rendered.metadata.created = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        out = rendered.write_pdf(
            pdf_variant=PDF_VARIANT,
            attachments=pdf_attachments,
            finisher=_associate_files,
            uncompressed_pdf=False,
        )
    except FatalURLFetchingError as exc:
        raise RecordError(f"record rendering stopped: {exc}") from None
    finally:
        logger.removeHandler(errors)
    if fetcher.refused:
        raise RecordError(f"record rendering stopped: {fetcher.refused[0]}")
    if errors.messages:
        raise RecordError(f"record rendering failed: {errors.messages[0]}")
    if not isinstance(out, bytes):  # pragma: no cover - WeasyPrint returns bytes with no target
        raise RecordError("WeasyPrint returned no PDF")
    return out


class _ErrorLog(logging.Handler):
    """Collects WeasyPrint's errors: a record with a missing stylesheet must not be issued."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split())[:200])


def _associate_files(document: Any, pdf: Any) -> None:
    """Make the catalog's /AF list each file once, and check every file is a /Source."""
    af = pdf.catalog.get("AF")
    if af is None:
        return
    unique = list(dict.fromkeys(af))
    for reference in unique:
        spec = pdf.objects[int(str(reference, "ascii").split()[0])]
        if spec.get("AFRelationship") != "/Source":
            raise RecordError(f"embedded file {spec.get('UF')} is not marked as a source")
    af[:] = unique
