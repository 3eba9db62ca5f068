"""The four records a police lawyer and a DPO read: show (text, JSON) and the record HTML."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from syrupy.assertion import SnapshotAssertion

from bwvdisclose.case import fold
from bwvdisclose.cli.main import cli
from bwvdisclose.record.build import attachments_for, record_html
from tests.conftest import POLICY_2020_1
from tests.flow.conftest import FIXED, Keys
from tests.flow.four import NAMES, Built, build, stable


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> dict[str, Built]:
    return {n: build(n, tmp_path_factory.mktemp(n) / "store", keys) for n in NAMES}


def _show(b: Built, *extra: str) -> str:
    result = CliRunner().invoke(
        cli,
        ["show", b.case_id, "--store", str(b.store.root), *extra],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


def _html(b: Built) -> str:
    events = b.store.read(b.case_id)
    attachments = attachments_for(b"{}\n", POLICY_2020_1)  # the folder the cases use
    return record_html(fold(events), events, b.policy, attachments, FIXED)


@pytest.mark.parametrize("name", NAMES)
def test_show_text(built: dict[str, Built], name: str, snapshot: SnapshotAssertion) -> None:
    assert stable(_show(built[name])) == snapshot


@pytest.mark.parametrize("name", NAMES)
def test_show_json(built: dict[str, Built], name: str, snapshot: SnapshotAssertion) -> None:
    doc = json.loads(_show(built[name], "--format", "json"))
    doc.pop("history")  # the answer events, kept in the record snapshot
    assert json.loads(stable(json.dumps(doc, indent=1, ensure_ascii=False))) == snapshot


@pytest.mark.parametrize("name", NAMES)
def test_record_html(built: dict[str, Built], name: str, snapshot: SnapshotAssertion) -> None:
    assert stable(_html(built[name])) == snapshot


def test_car_stop_record_names_every_consideration(built: dict[str, Built]) -> None:
    html = _html(built["car_stop"])
    also = html.split("Would also apply, past the deciding step", 1)[1].split("<h3>", 1)[0]
    assert "Personal data cannot be masked effectively" in also
    assert "A three-month-old baby is in the car" in also
    assert "Independent Office for Police Conduct" in also
    assert "Data Protection Officer" in also
    assert "2020-07-04 18:40 BST" in html and "17:40" not in html


def test_departure_record_follows_the_decided_outcome(built: dict[str, Built]) -> None:
    html = _html(built["departure"])
    summary = html.split("<h2", 1)[0]
    conditions = summary.split("Conditions (on the outcome decided)", 1)[1].split("</tr>", 1)[0]
    # publishing's conditions do not follow a decision not to publish; the context statement
    # is tied to the no-exception step, which did not decide, so it is the course chosen
    assert "(none)" in conditions
    assert "explanatory_context_required" not in conditions
    redactions = summary.split("Redactions to apply (on the outcome decided)", 1)[1]
    assert "(none)" in redactions.split("</tr>", 1)[0]
    options = html.split("4. Options considered", 1)[1].split("</table>", 1)[0]
    row = options.split("<td>Context statement without footage</td>", 1)[1].split("</tr>", 1)[0]
    assert "<td>yes</td>" in row and "family asked us not to" in row
    assert "Chosen by the decision maker" not in options.split("Do not publish</td>", 1)[1]


def test_advice_reads_in_plain_words(built: dict[str, Built]) -> None:
    html = _html(built["refer"])
    # the policy's own label for the advice, not its key
    plain = "Legal services (active proceedings): referred; advice: no objection to publication"
    assert plain in html
    assert "no_objection" not in html.split("<h2", 1)[0]
