"""Malformed policy folders (`--criteria`), made here from the shipped policy by one change each.

Each goes through `evaluate --criteria`, `criteria check` and `show --criteria`: one message
naming the problem, exit 1 (or 2 where click refuses the path), nothing stored changes, and
nothing loops: a ref or ask_when cycle is refused when the policy loads.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CRITERIA
from tests.flow.conftest import DEMO

from .conftest import Store, assert_refused, run

SOURCE = CRITERIA / "met-bwv-2020"
Data = dict[str, Any]


def _q(data: Data, qid: str) -> Data:
    return next(q for s in data["sections"] for q in s["questions"] if q["id"] == qid)


def _fact(fid: str, when: object) -> Data:
    return {"id": fid, "title": fid, "when": when, "cites": ["MEMO"]}


# --- changes to the policy's data: (change, message) ---------------------------------------

EDITS: dict[str, tuple[Callable[[Data], None], str]] = {
    "no id": (lambda d: d.pop("id"), "id: Field required"),
    "no steps": (lambda d: d.pop("steps"), "steps: Field required"),
    "no sections": (lambda d: d.pop("sections"), "sections: Field required"),
    "steps empty": (lambda d: d.update(steps=[]), "steps: List should have at least 1 item"),
    "sections a string": (lambda d: d.update(sections="all"), "sections: Input should be"),
    "unknown top-level field": (lambda d: d.update(owner="x"), "owner: Extra inputs"),
    "bad id": (lambda d: d.update(id="Met BWV"), "id: String should match pattern"),
    "version a number": (lambda d: d.update(version=2020.1), "version: Input should be"),
    "bad effective date": (lambda d: d.update(effective="someday"), "effective: Input should"),
    "question id pattern": (
        lambda d: _q(d, "force.shown").update(id="Force Shown!"),
        "id: String should match pattern",
    ),
    "choice without choices": (
        lambda d: _q(d, "incident.type").pop("choices"),
        "a choice question needs choices",
    ),
    "bool with choices": (
        lambda d: _q(d, "force.shown").update(choices=["a"]),
        "a bool question takes no choices",
    ),
    "repeated choices": (
        lambda d: _q(d, "incident.type").update(choices=["arrest", "arrest"]),
        "choices repeat",
    ),
    "default not a choice": (
        lambda d: _q(d, "legal.advice").update(default="maybe"),
        "default must be one of the choices",
    ),
    "unknown type": (lambda d: _q(d, "force.shown").update(type="yesno"), "type: Input should"),
    "no cites": (lambda d: _q(d, "force.shown").update(cites=[]), "cites: List should have"),
    "question twice": (
        lambda d: d["sections"][0]["questions"].append(copy.deepcopy(_q(d, "force.shown"))),
        "question force.shown is defined twice",
    ),
    "unknown ref": (
        lambda d: d["steps"][1]["when"]["all"].__setitem__(0, {"ref": "protekt"}),
        "unknown ref 'protekt'",
    ),
    "unknown question": (
        lambda d: d["exceptions"][1]["when"]["all"].__setitem__(0, {"q": "appeal.activ", "eq": 1}),
        "when.all.all.0.q.eq.bool: Input should be a valid boolean",
    ),
    "compare with an unknown question": (
        lambda d: d["exceptions"][1]["when"]["all"].__setitem__(
            0, {"q": "appeal.activ", "eq": True}
        ),
        "unknown question appeal.activ",
    ),
    "bool compared with text": (
        lambda d: d["referrals"][0].update(trigger={"q": "legal.active_proceedings", "eq": "yes"}),
        "legal.active_proceedings cannot be 'yes'",
    ),
    "contains on a choice": (
        lambda d: d["referrals"][0].update(trigger={"q": "incident.type", "contains": "arrest"}),
        "`contains` needs a multi question",
    ),
    "two tests in a compare": (
        lambda d: d["referrals"][0].update(
            trigger={"q": "legal.active_proceedings", "eq": True, "ne": False}
        ),
        "give exactly one of eq, ne, in, contains, nonempty",
    ),
    "empty all": (lambda d: d["steps"][1].update(when={"all": []}), "List should have at least"),
    "unknown source": (
        lambda d: d["steps"][0].update(cites=["MEMO-NOPE"]),
        "cites unknown source MEMO-NOPE",
    ),
    "advice question missing": (
        lambda d: d["referrals"][0].update(advice="legal.advise"),
        "advice question legal.advise is not defined",
    ),
    "rule step without outcome": (
        lambda d: d["steps"][0].pop("outcome"),
        "a rule step needs `when` and `outcome`",
    ),
    "referrals step without advice values": (
        lambda d: d["steps"][2].update(block_on=[], refer_on=[]),
        "a referrals step needs block_on or refer_on",
    ),
    "redaction for an unknown step": (
        lambda d: d["conditions"][0].update(steps=["no_such_step"]),
        "unknown step no_such_step",
    ),
    "last step not always": (lambda d: d["steps"].pop(), "the last step must always decide"),
    "a step decides incomplete": (
        lambda d: d["steps"][0].update(outcome="incomplete"),
        "a step cannot decide incomplete",
    ),
    "no decision maker sign-off": (
        lambda d: d["signoffs"].update(do_not_publish=["legal"]),
        "signoffs.do_not_publish: must include decision_maker",
    ),
    "unknown sign-off role": (
        lambda d: d["signoffs"].update(publish=["decision_maker", "press_office"]),
        "signoffs.publish.1: Input should be",
    ),
    "fact refers to itself": (
        lambda d: d["facts"][0].update(when={"ref": "protect"}),
        "a cycle that never ends: ref protect -> ref protect",
    ),
    "two facts refer to each other": (
        lambda d: d["facts"].extend([_fact("a", {"ref": "b"}), _fact("b", {"ref": "a"})]),
        "ref a -> ref b -> ref a",
    ),
    "exception refers to itself": (
        lambda d: d["exceptions"][0].update(when={"ref": "exception.community_tension"}),
        "ref exception.community_tension -> ref exception.community_tension",
    ),
    "exception and fact refer to each other": (
        lambda d: d["exceptions"][2].update(when={"not": {"ref": "exception_met"}}),
        "ref exception_met -> ref exception.general_challenge -> ref exception_met",
    ),
    "question asked when it is answered": (
        lambda d: _q(d, "force.shown").update(ask_when={"q": "force.shown", "eq": True}),
        "question force.shown -> question force.shown",
    ),
    "two questions asked when the other is answered": (
        lambda d: _q(d, "force.shown").update(ask_when={"q": "force.types", "nonempty": True}),
        "question force.shown -> question force.types -> question force.shown",
    ),
    "question asked through a fact that tests it": (
        lambda d: d["facts"][0]["when"]["any"].append({"q": "dp.redaction_feasible", "eq": True}),
        "ref protect -> question dp.redaction_feasible -> ref protect",
    ),
    "a long cycle": (
        lambda d: d["facts"].extend(
            [_fact(f"f{i}", {"ref": f"f{(i + 1) % 30}"}) for i in range(30)]
        ),
        "ref f0 -> ref f1 -> ref f2",
    ),
}


@cache
def _source() -> Data:
    data: Data = yaml.load((SOURCE / "policy.yaml").read_text(), Loader=_LOADER)
    return data


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the test's own reading: speed only
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _edited(edit: Callable[[Data], None]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        data = copy.deepcopy(_source())
        edit(data)
        text = yaml.dump(data, Dumper=_DUMPER, sort_keys=False, width=200)
        (folder / "policy.yaml").write_text(text)
        return folder

    return make


# --- changes to the folder and its files: (make, exit code, message) ----------------------


def _text(old: str, new: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "policy.yaml"
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))
        return folder

    return make


def _bytes(data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        (folder / "policy.yaml").write_bytes(data)
        return folder

    return make


def _deep_condition(folder: Path) -> Path:
    nested = "{not: " * 3000 + "{always: true}" + "}" * 3000
    _text("    when: {always: true}", f"    when: {nested}")(folder)
    return folder


def _link(name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        target = folder.parent / f"outside-{name.replace('/', '-')}"
        shutil.move(folder / name, target)
        (folder / name).symlink_to(target)
        return folder

    return make


def _binary_example(folder: Path) -> Path:
    (folder / "examples" / "scan.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    return folder


def _no_file(folder: Path) -> Path:
    (folder / "policy.yaml").unlink()
    return folder


def _folder_as_file(folder: Path) -> Path:
    (folder / "policy.yaml").unlink()
    (folder / "policy.yaml").mkdir()
    return folder


def _missing(folder: Path) -> Path:
    return folder / "not-here"


def _a_file(folder: Path) -> Path:
    return folder / "policy.yaml"


def _huge(folder: Path) -> Path:
    with (folder / "policy.yaml").open("a") as fh:
        fh.write("# padding\n" * 220_000)
    return folder


FOLDERS: dict[str, tuple[Callable[[Path], Path], int, str]] = {
    "missing folder": (_missing, 1, "no such policy folder"),
    "no policy.yaml": (_no_file, 1, "not a policy folder (no policy.yaml)"),
    "policy.yaml is a folder": (_folder_as_file, 1, "not a policy folder"),
    "--criteria names the file": (_a_file, 2, "is a file"),
    "empty policy.yaml": (_bytes(b""), 1, "expected a mapping at the top level"),
    "binary policy.yaml": (_bytes(bytes(range(256))), 1, "policy.yaml: not UTF-8 text"),
    "NUL bytes in policy.yaml": (_bytes(b"id: met\x00\n"), 1, "binary data, not a text policy"),
    "invalid UTF-8": (_bytes(b"id: met\xff\n"), 1, "policy.yaml: not UTF-8 text"),
    "bad YAML": (_bytes(b"id: [met\n"), 1, "line 2:"),
    "top-level list": (_bytes(b"- id: met\n"), 1, "expected a mapping at the top level"),
    "over the size cap": (_huge, 1, "too large for a policy file"),
    "duplicate key": (_text("status: in force", "status: in force\nid: other"), 1, "duplicate"),
    "alias": (_text("status: in force", "status: &s in force\nnotice: *s"), 1, "aliases"),
    "python tag": (_text("status: in force", "status: !!python/name:os.system"), 1, "tag"),
    "bad date": (_text("effective: 2020-08-28", "effective: 2020-08-48"), 1, "cannot read"),
    "3000 nested nots": (_deep_condition, 1, "nested more than 100 levels deep"),
    "policy.yaml is a link": (_link("policy.yaml"), 1, "a symbolic link in a policy folder"),
    "an example is a link": (
        _link("examples/01-default-do-not-publish.yaml"),
        1,
        "a symbolic link in a policy folder",
    ),
    "a binary file among the examples": (_binary_example, 1, "not UTF-8 text"),
}


def _commands(folder: Path, store: Store) -> dict[str, list[str]]:
    return {
        "evaluate": ["evaluate", str(DEMO), "--criteria", str(folder)],
        "criteria check": ["criteria", "check", str(folder)],
        "show": ["show", store.decided, "--criteria", str(folder), "--store", str(store.root)],
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "policy"
    shutil.copytree(SOURCE, copy)
    return copy


def test_the_shipped_policy_still_loads(unchanged: Store) -> None:
    assert run("criteria", "check", str(SOURCE)).exit_code == 0


@pytest.mark.parametrize("command", ["evaluate", "criteria check", "show"])
@pytest.mark.parametrize("case", FOLDERS)
def test_malformed_policy_folder(unchanged: Store, folder: Path, case: str, command: str) -> None:
    make, code, message = FOLDERS[case]
    result = run(*_commands(make(folder), unchanged)[command])
    assert_refused(result, code, message)


@pytest.mark.parametrize("case", EDITS)
def test_malformed_policy(unchanged: Store, folder: Path, case: str) -> None:
    """One command each: all three load the policy the same way (tested above)."""
    edit, message = EDITS[case]
    result = run(*_commands(_edited(edit)(folder), unchanged)["evaluate"])
    assert_refused(result, 1, "policy.yaml: ", message)
