"""bwvdisclose: body-worn video disclosure decisions under a written policy."""

from __future__ import annotations

import os

# pydantic scans every installed package's entry points for plugins at first use; this
# tool uses none, and the scan is a large part of its start-up time.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

__version__ = "0.1.0"
