"""`verify FILE.pdf` holds a record to what its embedded log and policy say.

Red-team findings: a record signed off only by the decision maker verified (the policy
requires more roles for the outcome decided), and a record whose page contradicts its
log (rendered from a force's own templates) verified.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bwvdisclose.record.check import check_record
from bwvdisclose.record.html import templates_dir
from tests.conftest import DEMO_CA, TestAuthority, roots
from tests.flow.conftest import PASS_ENV, Keys, Signed, decide, new_case, run, sign, sign_all


def _record(store: Path, keys: Keys, case_id: str, out: Path) -> tuple[int, str, str]:
    return run(
        "record", case_id, "--key", keys.p12("amy-ward"), "--passphrase-env", PASS_ENV,
        "--out", str(out), "--store", str(store),
    )  # fmt: skip


def _verify(pdf: Path, test_ca: TestAuthority) -> tuple[int, str, str]:
    return run("verify", str(pdf), "--trust", str(test_ca.pem), "--trust", str(DEMO_CA))


def test_a_record_without_the_required_signoffs_fails(
    tmp_path: Path, keys: Keys, test_ca: TestAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Legal and data protection signed an earlier decision (stale); the maker bypasses `record`'s
    readiness check in-process and seals: verify names both roles and fails."""
    store, case_id = _signed_case(tmp_path, keys)
    decide(store, case_id, why="Decided again")  # every sign-off above is now stale
    code, _, err = sign(store, keys, case_id, "amy-ward", "decision_maker")
    assert code == 0, err
    monkeypatch.setattr("bwvdisclose.trust.signoff.missing_roles", lambda s, p: [])
    code, _, err = _record(store, keys, case_id, tmp_path / "r.pdf")
    assert code == 0, err
    code, out, err = _verify(tmp_path / "r.pdf", test_ca)
    assert code == 1, out + err
    assert re.search(r"^FAIL .*publish_with_redactions.*legal, data_protection", out, re.M), out
    assert "stale" in out
    assert "verified" not in out.splitlines()[-1]


def test_the_record_names_the_required_signoffs_present(
    signed: Signed, test_ca: TestAuthority
) -> None:
    result = check_record(signed.pdf.read_bytes(), roots(test_ca.pem, DEMO_CA))
    assert result.ok, result.lines
    assert any(
        ok and "decision_maker, legal, data_protection" in text and "policy requires" in text
        for ok, text in result.lines
    ), result.lines


def _custom_templates(folder: Path, edit: dict[str, str]) -> Path:
    folder.mkdir()
    text = (templates_dir() / "record.html.j2").read_text(encoding="utf-8")
    for old, new in edit.items():
        assert old in text, old
        text = text.replace(old, new)
    (folder / "record.html.j2").write_text(text, encoding="utf-8")
    return folder


def _signed_case(tmp_path: Path, keys: Keys) -> tuple[Path, str]:
    """A case decided publish_with_redactions and signed off in every role."""
    store = tmp_path / "s"
    case_id = new_case(store)
    decide(store, case_id)
    sign_all(store, keys, case_id)
    return store, case_id


def _seal_unchecked(
    tmp_path: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch, edit: dict[str, str]
) -> Path:
    """A signed case's record rendered from templates with `edit`, `record`'s own page
    check bypassed (as a forger holding the key could); the templates are unset after."""
    store, case_id = _signed_case(tmp_path, keys)
    monkeypatch.setenv("BWVDISCLOSE_TEMPLATES", str(_custom_templates(tmp_path / "tpl", edit)))
    monkeypatch.setattr("bwvdisclose.record.build.check_page", lambda *a: None)
    pdf = tmp_path / "fake.pdf"
    code, _, err = _record(store, keys, case_id, pdf)
    assert code == 0, err
    monkeypatch.delenv("BWVDISCLOSE_TEMPLATES")
    return pdf


def test_a_page_that_contradicts_the_log_fails(
    tmp_path: Path, keys: Keys, test_ca: TestAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A force's own template prints DO NOT PUBLISH for a publish_with_redactions case:
    `record` refuses it; sealed anyway (the check bypassed in-process), verify fails it."""
    store, case_id = _signed_case(tmp_path, keys)
    fake = _custom_templates(tmp_path / "tpl", {"{{ decision.outcome_text }}": "DO NOT PUBLISH"})
    monkeypatch.setenv("BWVDISCLOSE_TEMPLATES", str(fake))
    code, _, err = _record(store, keys, case_id, tmp_path / "refused.pdf")
    assert code == 1, err
    assert "no record is issued" in err and "DO NOT PUBLISH" in err, err
    assert not (tmp_path / "refused.pdf").exists()
    assert not list((store / case_id / "records").glob("*.pdf"))
    monkeypatch.setattr("bwvdisclose.record.build.check_page", lambda *a: None)
    code, _, err = _record(store, keys, case_id, tmp_path / "fake.pdf")
    assert code == 0, err
    monkeypatch.delenv("BWVDISCLOSE_TEMPLATES")
    code, out, err = _verify(tmp_path / "fake.pdf", test_ca)
    assert code == 1, out + err
    assert re.search(r"^FAIL .*do not publish.*publish with redactions", out, re.M | re.I), out
    assert re.search(r"^note .*templates other than the shipped ones", out, re.M), out
    code, out, _ = run("show", case_id, "--store", str(store))
    assert code == 0 and "templates other than the shipped ones" in out, out


def test_a_page_without_the_facts_fails(
    tmp_path: Path, keys: Keys, test_ca: TestAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template that leaves out the block of facts (or prints another head) fails verify."""
    pdf = _seal_unchecked(tmp_path, keys, monkeypatch, {'{% include "_facts.html.j2" %}': ""})
    code, out, err = _verify(pdf, test_ca)
    assert code == 1, out + err
    assert re.search(r"^FAIL the page has no block of facts", out, re.M), out


def test_the_page_states_the_facts_of_the_log(signed: Signed, test_ca: TestAuthority) -> None:
    code, out, err = _verify(signed.pdf, test_ca)
    assert code == 0, out + err
    assert re.search(r"^ok +the page states the case, the decision, who decided", out, re.M)
    assert re.search(r"^note rendered from this version's shipped templates", out, re.M), out


def test_the_page_check_reads_blocks_and_decision_lines(signed: Signed) -> None:
    """page_problems on page texts as pdftotext gives them: wrapped, repeated, quoted, lying."""
    from bwvdisclose.case import fold
    from bwvdisclose.record.facts import END, TITLE, page_facts, page_problems
    from bwvdisclose.store.folder import FolderStore

    events = FolderStore(signed.store).read(signed.case_id)
    state = fold([e for e in events if e.type != "record_rendered"])
    facts = page_facts(state)
    block = "\n".join([TITLE, *facts, END])
    assert page_problems(f"Decision: Publish with redactions\n{block}", state, []) == []
    wrapped = block.replace("Log head: ", "Log\nhead:\n").replace(" verify ", "\u200b verify\n")
    assert page_problems(wrapped, state, []) == []
    assert page_problems("Decision: Publish", state, [])  # missing block; a shorter outcome
    lying = block.replace("Decided by: Amy Ward", "Decided by: Sam Okafor")
    missing = "the page does not state “Decided by: Amy Ward (4711)”"
    assert page_problems(lying, state, []) == [missing]
    extra = block.replace(facts[-1], f"{facts[-1]}\nApproved by the Chief Constable")
    assert page_problems(extra, state, []) == [
        "the page's block of facts holds more than the log gives"
    ]
    assert page_problems(f"{block}\n{lying}", state, [])  # every block must hold the facts
    said = f"{block}\nDecision: do not\npublish"
    assert page_problems(said, state, [])
    assert page_problems(said, state, ["We wrote: Decision: do not"]) == []  # quoting the log


def test_a_record_made_before_the_block_of_facts_still_verifies(
    tmp_path: Path, keys: Keys, test_ca: TestAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record made by an earlier version (no block of facts, no record-render.json) is
    evidence for years: its printed head is checked as then, and a note says the rest of
    the page was not compared (it failed once the block was required)."""
    import bwvdisclose.record.build as build

    attach = build.attachments_for
    monkeypatch.setattr(
        build,
        "attachments_for",
        lambda *a, **k: [f for f in attach(*a, **k) if f.name != build.RENDER_FILE],
    )
    pdf = _seal_unchecked(tmp_path, keys, monkeypatch, {'{% include "_facts.html.j2" %}': ""})
    code, out, err = _verify(pdf, test_ca)
    assert code == 0, out + err
    assert "ok   the head printed in the record matches the embedded log" in out
    assert re.search(r"^note made before records carried a block of facts", out, re.M), out
