"""Forked children for race tests: what each wrote to its pipe, once it has exited 0."""

from __future__ import annotations

import os
from collections.abc import Sequence


def collect(children: Sequence[tuple[int, int]]) -> list[str]:
    """Read each (pid, read end of its pipe) to the end, wait for it; it must exit 0."""
    results = []
    for pid, out_r in children:
        data = b""
        while chunk := os.read(out_r, 65536):
            data += chunk
        os.close(out_r)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, data.decode()
        results.append(data.decode())
    return results
