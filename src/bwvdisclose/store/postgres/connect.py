"""Connecting to a PostgreSQL case store: URLs, TLS by default off this machine, clear errors.

A store URL is a libpq URL (`postgresql://user@host:port/dbname?sslmode=...`). Keep the
password out of it: libpq reads ~/.pgpass, PGPASSWORD or a service file. A connection to
another machine without an `sslmode` uses `verify-full`: TLS with the server's certificate
checked against ~/.postgresql/root.crt (or `sslrootcert=`) and its host name. A Unix
socket or loopback address keeps libpq's default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bwvdisclose.errors import StoreError

if TYPE_CHECKING:
    import psycopg

SCHEMES = ("postgresql://", "postgres://")
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
CONNECT_TIMEOUT = 10


def is_postgres_url(spec: object) -> bool:
    return isinstance(spec, str) and spec.startswith(SCHEMES)


def parse_url(url: str) -> dict[str, Any]:
    """libpq's own reading of `url`; StoreError (no password shown) when it is not one."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        return dict(conninfo_to_dict(url))
    except Exception:  # psycopg.ProgrammingError, with libpq's text (which may echo the URL)
        raise StoreError(f"{display_url(url)} is not a PostgreSQL URL libpq can read") from None


def display_url(url: str) -> str:
    """The URL as it may be printed: no password, no query, at most 200 characters."""
    rest = url.split("://", 1)[-1].split("?", 1)[0]
    userinfo, at, hostpart = rest.rpartition("@")
    if at:
        user = userinfo.split(":", 1)[0]
        rest = f"{user}@{hostpart}"
    shown = f"postgresql://{rest}"
    return shown if len(shown) <= 200 else shown[:197] + "..."


def _is_local(params: dict[str, Any]) -> bool:
    hosts = str(params.get("host") or params.get("hostaddr") or "").split(",")
    return all(h.startswith("/") or h.strip() in LOCAL_HOSTS for h in hosts)


def connect_params(url: str) -> dict[str, Any]:
    """The keyword arguments for psycopg.connect: TLS required off this machine."""
    params = parse_url(url)
    params.setdefault("connect_timeout", CONNECT_TIMEOUT)
    params.setdefault("application_name", "bwvdisclose")
    if "sslmode" not in params and not _is_local(params):
        params["sslmode"] = "verify-full"
    return params


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A connection to the store's database, or StoreError saying why not."""
    import psycopg

    try:
        return psycopg.connect(autocommit=autocommit, **connect_params(url))
    except psycopg.OperationalError as exc:
        shown = display_url(url)
        raise StoreError(f"cannot connect to the case store {shown}: {reason(exc)}") from None


def reason(exc: BaseException) -> str:
    """libpq's message in one line, without its hints and context."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    text = text.removeprefix("connection failed: ")
    if text.startswith("connection to server") and " failed: " in text:
        text = text.rsplit(" failed: ", 1)[1]
    text = text.removeprefix("FATAL:").strip()
    return text if len(text) <= 300 else text[:297] + "..."
