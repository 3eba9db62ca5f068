"""The audit and demo commands: output shapes and exit codes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

from bwvdisclose.audit.report import report_html
from bwvdisclose.audit.rows import CaseRow
from bwvdisclose.store.folder import FolderStore
from tests.audit.conftest import R2, SYNTH_CASES, copy_store
from tests.conftest import Invoke


def _ok(invoke: Invoke, *args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_verify_good_store(invoke: Invoke, synth_store: Path, demo_keys: Path) -> None:
    trust = str(demo_keys / "ca.pem")
    out = _ok(invoke, "audit", "verify", "--store", str(synth_store), "--trust", trust)
    assert out.strip().endswith(f"{SYNTH_CASES} cases checked: {SYNTH_CASES} passed, 0 failed")
    assert "is a TEST CA" in out


def test_verify_without_the_right_root_is_not_trusted(invoke: Invoke, synth_store: Path) -> None:
    """Every signature intact, none trusted under the tests' roots: exit 3, naming whose."""
    result = invoke("audit", "verify", "--store", str(synth_store))
    assert result.exit_code == 3, result.output
    assert "NOT TRUSTED" in result.stdout and "sign-off by" in result.stdout
    assert "FAILED" not in result.stdout
    assert "intact but not trusted" in result.stderr


def test_verify_names_the_failure_and_exits_1(
    invoke: Invoke, synth_store: Path, tmp_path: Path, demo_keys: Path
) -> None:
    store = copy_store(synth_store, tmp_path / "store")
    shutil.copy(demo_keys / "ca.pem", tmp_path / "ca.pem")
    case_id = sorted(p.name for p in store.iterdir() if p.name.startswith("BWV"))[5]
    (store / case_id / "HEAD").unlink()
    result = invoke(
        "audit", "verify", "--store", str(store), "--trust", str(store.parent / "ca.pem")
    )
    assert result.exit_code == 1
    assert f"FAILED {case_id}: event " in result.stdout and "HEAD is missing" in result.stdout
    assert f"{SYNTH_CASES - 1} passed, 1 failed" in result.stdout
    assert result.stderr == f"error: 1 of {SYNTH_CASES} cases failed verification\n"


def test_no_store_is_an_error(invoke: Invoke, tmp_path: Path) -> None:
    for command in ("verify", "list", "stats"):
        result = invoke("audit", command, "--store", str(tmp_path / "nowhere"))
        assert result.exit_code == 1
        assert result.stderr.startswith("error: no case store at")


def test_list_csv_shape(invoke: Invoke, synth_store: Path) -> None:
    out = _ok(invoke, "audit", "list", "--store", str(synth_store), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == SYNTH_CASES
    assert list(rows[0]) == list(CaseRow.model_fields)
    assert {r["departure"] for r in rows} == {"yes", "no", ""}
    assert all(r["opened"].endswith("Z") for r in rows)


def test_list_json_shape_and_filters(invoke: Invoke, synth_store: Path) -> None:
    args = ["audit", "list", "--store", str(synth_store), "--format", "json"]
    everything = json.loads(_ok(invoke, *args))
    assert len(everything) == SYNTH_CASES and set(everything[0]) == set(CaseRow.model_fields)
    kept = json.loads(
        _ok(invoke, *args, "--from", "2025-01-01", "--to", "2025-03-31", "--departure")
    )
    assert kept == [
        r for r in everything if "2025-01-01" <= r["opened"][:10] <= "2025-03-31" and r["departure"]
    ]


def test_list_table(invoke: Invoke, hand_store: Path) -> None:
    out = _ok(invoke, "audit", "list", "--store", str(hand_store), "--state", "awaiting advice")
    assert "BWV-2024-0003" in out and "BWV-2024-0001" not in out
    none = _ok(invoke, "audit", "list", "--store", str(hand_store), "--exception", "nope")
    assert "match" in none


def test_stats_json_and_text(invoke: Invoke, hand_store: Path) -> None:
    stats = json.loads(
        _ok(invoke, "audit", "stats", "--store", str(hand_store), "--format", "json")
    )
    assert (stats["cases"], stats["decided"], stats["departures"]) == (5, 4, 1)
    assert set(stats) == {
        "cases",
        "damaged",
        "decided",
        "departures",
        "disclosure",
        "by",
        "time_to_decision",
        "recommended_vs_decided",
        "departure_cases",
        "by_month",
    }
    text = _ok(invoke, "audit", "stats", "--store", str(hand_store))
    assert "Time from opening to decision: median 40.0 h, 90th percentile 100.0 h" in text
    assert "  2024-03  opened     2  decided     2  departures   1" in text


def test_replay_text_and_json(invoke: Invoke, hand_store: Path) -> None:
    args = ["audit", "replay", "--store", str(hand_store), "--criteria", str(R2)]
    text = _ok(invoke, *args)
    assert "BWV-2024-0003  refer -> incomplete" in text
    assert "needs answers to: legal.release_necessary_and_proportionate" in text
    assert "referral legal: held -> unknown [CCA1981, R2-LEGAL]" in text
    assert ": 2 would change, 3 unchanged, 0 could not be read." in text
    doc = json.loads(_ok(invoke, *args, "--format", "json"))
    assert (doc["cases"], doc["changed"], doc["unchanged"]) == (5, 2, 3)
    assert [c["case_id"] for c in doc["changes"]] == ["BWV-2024-0003", "BWV-2024-0005"]
    assert doc["policy"]["id"] == "met-bwv-2020-r2-illustrative"


def test_replay_needs_a_policy(invoke: Invoke, hand_store: Path) -> None:
    assert invoke("audit", "replay", "--store", str(hand_store)).exit_code == 2


def test_report_pdf(invoke: Invoke, hand_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    assert "5 cases" in _ok(
        invoke, "audit", "report", "--store", str(hand_store), "--out", str(out)
    )
    assert out.read_bytes().startswith(b"%PDF-")


def test_report_html_escapes_and_draws(invoke: Invoke, hand_store: Path) -> None:
    stats = json.loads(
        _ok(invoke, "audit", "stats", "--store", str(hand_store), "--format", "json")
    )
    stats["by"]["exceptions"]["<script>x</script>"] = 1
    html = report_html(stats, scope="Store <b>", generated=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert "<script>" not in html and "&lt;script&gt;" in html and "Store &lt;b&gt;" in html
    assert html.count("<svg") == 4 and "median 40.0 hours" in html


def test_demo_command(invoke: Invoke, tmp_path: Path, demo_keys: Path) -> None:
    store = tmp_path / "demo"
    args = ["demo", "--cases", "5", "--store", str(store), "--keys", str(demo_keys)]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "wrote 5 synthetic cases" in result.output
    assert len(FolderStore(store).list_ids()) == 5
    again = invoke(*args)
    assert again.exit_code == 1
    assert "already holds cases" in again.output


def test_list_csv_and_json_carry_departure_justifications(invoke: Invoke, hand_store: Path) -> None:
    args = ("audit", "list", "--store", str(hand_store), "--departure")
    rows = list(csv.DictReader(io.StringIO(_ok(invoke, *args, "--format", "csv"))))
    assert [(r["case_id"], r["justification"]) for r in rows] == [
        ("BWV-2024-0002", "Justified in the case file.")
    ]
    (doc,) = json.loads(_ok(invoke, *args, "--format", "json"))
    assert doc["justification"] == "Justified in the case file."


def test_stats_text_shows_recommended_against_decided_and_departures(
    invoke: Invoke, hand_store: Path
) -> None:
    out = _ok(invoke, "audit", "stats", "--store", str(hand_store))
    assert "Recommended (rows) against decided (columns), decided cases" in out
    assert "  BWV-2024-0002  2024-03-16  recommended do_not_publish, decided publish by " in out
    assert out.count("Justified in the case file.") == 1


def test_report_file_is_private_whatever_the_umask(
    invoke: Invoke, hand_store: Path, tmp_path: Path
) -> None:
    import os

    out = tmp_path / "report.pdf"
    old = os.umask(0)
    try:
        _ok(invoke, "audit", "report", "--store", str(hand_store), "--out", str(out))
    finally:
        os.umask(old)
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_report_pages_keep_each_chart_with_its_heading(
    invoke: Invoke, hand_store: Path, tmp_path: Path
) -> None:
    """Read back from the PDF: each chart heading is on the page that draws its chart."""
    import subprocess

    out = tmp_path / "report.pdf"
    _ok(invoke, "audit", "report", "--store", str(hand_store), "--out", str(out),
        "--departure", "--from", "2024-01-01", "--to", "2024-06-30")  # fmt: skip
    pages = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    marks = {  # heading -> text drawn inside its chart
        "Recommended outcomes by month opened": "24-02",  # a month without cases, drawn
        "Time from opening to decision": "4 weeks or more",
    }
    for heading, drawn in marks.items():
        (page,) = [p for p in pages if heading in p]
        assert drawn in page, heading
    text = " ".join("\f".join(pages).split())
    assert "departures from the recommendation only" in text and "departure True" not in text
    assert "Recommended against decided" in text
    assert "Justified in the case file." in text


def test_every_chart_is_kept_with_its_heading_in_the_html(invoke: Invoke, hand_store: Path) -> None:
    import re

    stats = json.loads(
        _ok(invoke, "audit", "stats", "--store", str(hand_store), "--format", "json")
    )
    html = report_html(stats, scope="s", generated=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    sections = re.findall(r'<section class="keep">(.*?)</section>', html, re.S)
    charts = [s for s in sections if "<svg" in s]
    assert len(charts) == html.count("<svg") == 4
    assert all(s.lstrip().startswith("<h2>") for s in charts)
    assert ".keep { break-inside: avoid; }" in html
