"""The renderer fetches only files inside the record's folder: no network, no other files."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bwvdisclose.errors import RecordError
from bwvdisclose.record.pdf import FetchRefused, render_pdf, resolve_inside


@pytest.fixture
def site(tmp_path: Path) -> Path:
    base = tmp_path / "site"
    (base / "css").mkdir(parents=True)
    (base / "css" / "ok.css").write_text("p { color: #333; }")
    (tmp_path / "secret.txt").write_text("outside")
    (base / "escape.css").symlink_to(tmp_path / "secret.txt")
    return base


def _page(head: str = "", body: str = "") -> str:
    return (
        f"<!doctype html><html lang='en-GB'><head>{head}</head><body><p>x</p>{body}</body></html>"
    )


def test_files_inside_base_dir_are_served(site: Path) -> None:
    assert resolve_inside((site / "css" / "ok.css").as_uri(), site) == site / "css" / "ok.css"
    pdf = render_pdf(_page('<link rel="stylesheet" href="css/ok.css">'), site, [], "t")
    assert pdf.startswith(b"%PDF-")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.invalid/x.css",
        "ftp://example.invalid/x",
        "data:text/css,p{color:red}",
        "file:///etc/passwd",
        "file://otherhost/etc/passwd",
        "relative/path.css",
    ],
)
def test_other_urls_are_refused(site: Path, url: str) -> None:
    with pytest.raises(FetchRefused, match="refused"):
        resolve_inside(url, site)


def test_escapes_from_base_dir_are_refused(site: Path) -> None:
    with pytest.raises(FetchRefused, match="outside"):
        resolve_inside(site.as_uri() + "/../secret.txt", site)
    with pytest.raises(FetchRefused, match="outside"):
        resolve_inside(site.as_uri() + "/css/%2e%2e/%2e%2e/secret.txt", site)
    with pytest.raises(FetchRefused, match="outside"):
        resolve_inside((site / "escape.css").as_uri(), site)
    with pytest.raises(FetchRefused, match="no such file"):
        resolve_inside((site / "css").as_uri(), site)


@pytest.mark.parametrize(
    ("head", "body"),
    [
        ('<link rel="stylesheet" href="{url}/a.css">', ""),
        ("<style>@import url({url}/b.css);</style>", ""),
        ("<style>@font-face {{ font-family: X; src: url({url}/f.ttf) }} p {{ font-family: X }}"
         "</style>", ""),
        ("", '<img src="{url}/c.png">'),
        ("", '<a href="{url}/d.txt" rel="attachment">d</a>'),
    ],
)  # fmt: skip
def test_network_is_never_touched(
    site: Path, listener: socket.socket, head: str, body: str
) -> None:
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    html = _page(head.format(url=url), body.format(url=url))
    with pytest.raises(RecordError, match=f"refused to fetch http URL: {url}/"):
        render_pdf(html, site, [], "t")
    with pytest.raises(TimeoutError):
        listener.accept()  # nothing ever connected


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="../secret.txt">',
        '<link rel="stylesheet" href="escape.css">',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        '<link rel="stylesheet" href="css/missing.css">',
    ],
)
def test_render_stops_on_a_refused_fetch(site: Path, tag: str) -> None:
    with pytest.raises(RecordError, match=r"record rendering stopped: (refused|no such file)"):
        render_pdf(_page(body=tag), site, [], "t")
