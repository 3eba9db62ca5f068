"""Heavy libraries load only in the commands that need them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

HEAVY = ("weasyprint", "pyhanko", "rich", "jinja2")
PROBE = """
import json, sys
from bwvdisclose.cli.main import cli
try:
    cli.main(sys.argv[1:], prog_name="bwvdisclose", standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))), file=sys.stderr)
""".replace("HEAVY", repr(HEAVY))


def loaded(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    return json.loads(done.stderr.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--help"], set()),
        (["evaluate", "tests/data/answers/protest-2020.1.yaml"], set()),
        (["criteria", "check"], set()),
        (["schema", "events"], {"rich"}),  # case commands draw tables; never a PDF library
    ],
)
def test_light_commands_load_no_heavy_library(args: list[str], allowed: set[str]) -> None:
    assert set(loaded(*args)) <= allowed
