"""`python -m tests.pki up FOLDER` starts the TEST PKI's services and prints the TSA URL;
`python -m tests.pki down FOLDER` stops them. Used by scripts/demo.sh."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.pki.services import TestPki, stop_pid_file


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("up", "down"):
        print("usage: python -m tests.pki up|down FOLDER", file=sys.stderr)
        return 2
    folder = Path(argv[1]).resolve()
    if argv[0] == "down":
        stop_pid_file(folder)
        return 0
    pki = TestPki.start(folder)
    print(pki.tsa_url)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
