"""One side of the record benchmark, in its own process (so its peak memory is its own).

`ours`: the whole `record` job on a signed demo case (read and verify the log, build the
HTML, render PDF/A-3b with attachments, seal, write, log). `floor`: bare WeasyPrint on the
same HTML plus a bare pyHanko signature. Prints the median seconds, warm-up excluded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

from bwvdisclose.answers import load_answers
from bwvdisclose.case import Actor
from bwvdisclose.cases import Cases, Intake
from bwvdisclose.policy import load_policy
from bwvdisclose.policy.load import resolve_policy_folder
from bwvdisclose.record.build import attachments_for, record_html, render_record
from bwvdisclose.record.html import templates_dir
from bwvdisclose.store.folder import FolderStore
from bwvdisclose.trust.approval import approval_of
from bwvdisclose.trust.ca import issue_test_identity, load_ca, make_test_ca
from bwvdisclose.trust.keys import load_identity
from bwvdisclose.trust.paths import TrustChecker
from bwvdisclose.trust.roots import load_roots

ROOT = Path(__file__).resolve().parent.parent
PASS = b"bench passphrase"


def signed_case(tmp: Path) -> tuple[Cases, str, Path, TrustChecker]:
    policy = load_policy()
    make_test_ca(tmp / "ca", PASS, name="bench TEST CA")
    ca = load_ca(tmp / "ca", PASS)
    checker = TrustChecker(load_roots([tmp / "ca" / "ca.pem"]))
    owner = issue_test_identity(ca, tmp / "keys", PASS, name="Bench Owner", role="policy_owner")
    approval = approval_of(policy, load_identity(owner.p12, PASS), dt.datetime.now(dt.UTC))
    cases = Cases(FolderStore(tmp / "store"), policy)
    officer = Actor(name="PS Dan Reid", role="duty officer", number="2291")
    when = dt.datetime(2026, 11, 14, 14, 52, tzinfo=dt.UTC)
    case_id = cases.open(
        officer, Intake("CAD 4417/14NOV", when, "Whitehall, London SW1", ["BWV-1", "BWV-2"])
    )
    cases.apply(
        case_id, officer, load_answers(ROOT / "demo" / "answers" / "protest.yaml", policy), None
    )
    cases.recompute(case_id, officer)
    review = (dt.datetime.now(dt.UTC) + dt.timedelta(days=90)).date().isoformat()
    cases.decide(
        case_id,
        Actor(name="Insp Amy Ward", role="decision maker", number="4711"),
        "publish_with_redactions",
        "Agree",
        review_by=review,
        notes={
            "explanatory_context_required": "Press statement explains the baton use",
            "amplification_warning": "Digital team briefed",
            "review_date_required": f"Review booked for {review}",
        },
        approval=approval,
    )
    keys = {}
    for name, role, number in [
        ("Amy Ward", "decision_maker", "4711"),
        ("Sam Okafor", "legal", "L220"),
        ("Priya Shah", "data_protection", "D17"),
    ]:
        issued = issue_test_identity(ca, tmp / "keys", PASS, name=name, role=role, number=number)
        keys[role] = issued.p12
        cases.sign(case_id, load_identity(issued.p12, PASS), role, checker)
    return cases, case_id, keys["decision_maker"], checker


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("side", choices=["ours", "floor"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases, case_id, p12, checker = signed_case(Path(tmp))
        folder = resolve_policy_folder(None)
        if args.side == "ours":

            def run() -> None:
                identity = load_identity(p12, PASS)
                render_record(cases.store, case_id, cases.policy, folder, identity, None, checker)
        else:
            state = cases.state(case_id)
            events = cases.store.read(case_id)
            log = (cases.store.case_dir(case_id) / "events.jsonl").read_bytes()
            html = record_html(
                state, events, cases.policy, attachments_for(log, folder), dt.datetime.now(dt.UTC)
            )

            def run() -> None:
                import weasyprint
                from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
                from pyhanko.sign import signers

                pdf = weasyprint.HTML(
                    string=html, base_url=templates_dir().as_uri() + "/"
                ).write_pdf()
                signer = signers.SimpleSigner.load_pkcs12(p12, passphrase=PASS)
                meta = signers.PdfSignatureMetadata(field_name="Signature")
                signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer)

        run()  # warm-up: imports, fonts, caches
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    print(f"{statistics.median(times):.4f}", file=sys.stdout)


if __name__ == "__main__":
    main()
