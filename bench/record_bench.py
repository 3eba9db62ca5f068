"""Time render + seal of a ~6-page decision record against the floor.

The floor is what the same work costs with no care taken: bare WeasyPrint
(no PDF/A, no attachments, default fetcher) plus a bare pyHanko signature.
Run: .venv/bin/python bench/record_bench.py [--repeat N]
Target: render + seal under 1.5 s wall on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader

from bwvdisclose.record.pdf import Attachment, render_pdf
from bwvdisclose.record.seal import seal_pdf
from bwvdisclose.record.verify import verify_pdf
from bwvdisclose.trust.ca import issue_test_identity, load_ca, make_test_ca
from bwvdisclose.trust.roots import load_roots

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "record"
PASSPHRASE = b"bench passphrase"
TARGET_S = 1.5


def ours(html: str, p12: Path, attachments: list[Attachment]) -> bytes:
    pdf = render_pdf(html, SAMPLE, attachments, "Decision record BWV-2026-0042")
    return seal_pdf(pdf, p12, PASSPHRASE, "Decision record", "London", "Bench Signer")


def bare_render(html: str) -> bytes:
    import weasyprint

    pdf: bytes = weasyprint.HTML(string=html, base_url=SAMPLE.as_uri() + "/").write_pdf()
    return pdf


def floor(html: str, p12: Path) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    pdf = bare_render(html)
    signer = signers.SimpleSigner.load_pkcs12(p12, passphrase=PASSPHRASE)
    meta = signers.PdfSignatureMetadata(field_name="Signature")
    out = signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer)
    data: bytes = out.getvalue()
    return data


def timed(run: Callable[[], bytes], repeat: int) -> tuple[float, bytes]:
    run()  # warm-up: imports, font configuration, caches
    times, out = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    html = (SAMPLE / "sample.html").read_text(encoding="utf-8")
    log = b"".join(b'{"seq": %d, "kind": "answer"}\n' % i for i in range(400))
    attachments = [
        Attachment("case.jsonl", log, "application/jsonl", "Case log"),
        Attachment("policy.yaml", b"id: met-bwv-2020\nversion: 3\n", "application/yaml", "Policy"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        ca_pem = make_test_ca(Path(tmp) / "ca", PASSPHRASE, name="bench TEST CA")
        ca = load_ca(Path(tmp) / "ca", PASSPHRASE)
        issued = issue_test_identity(
            ca, Path(tmp) / "keys", PASSPHRASE, name="Bench Signer", role="decision_maker"
        )
        p12 = issued.p12
        ours_s, record = timed(lambda: ours(html, p12, attachments), args.repeat)
        floor_s, _ = timed(lambda: floor(html, p12), args.repeat)
        title = "Decision record BWV-2026-0042"
        render_s, _ = timed(lambda: render_pdf(html, SAMPLE, attachments, title), args.repeat)
        bare_s, _ = timed(lambda: bare_render(html), args.repeat)
        check = verify_pdf(record, load_roots([ca_pem]))
    pages = PdfFileReader(BytesIO(record)).root["/Pages"]["/Count"]
    print(f"sample: {pages} pages, {len(record)} bytes sealed, verify ok={check.ok}")
    each = f"s, median of {args.repeat}"
    print(f"render+seal (PDF/A-3a, 2 attachments, fetcher): {ours_s:.3f} {each}")
    print(f"floor (bare WeasyPrint + bare pyHanko sign):    {floor_s:.3f} {each}")
    print(f"ratio: {ours_s / floor_s:.2f}x the floor")
    print(f"  of which render only: {render_s:.3f} s vs bare WeasyPrint {bare_s:.3f} s")
    verdict = "meets" if ours_s < TARGET_S else "MISSES"
    print(f"target < {TARGET_S} s: {verdict}")


if __name__ == "__main__":
    main()
