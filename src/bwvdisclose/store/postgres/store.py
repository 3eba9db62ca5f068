"""PostgresStore: the case store in a PostgreSQL database, behind the same interface.

Each case's events are rows of `bwvdisclose.events`, each holding the event's canonical
JSON line byte for byte (what the folder store writes to `events.jsonl`), checked on
every read with the same verifier. Writes are transactions:

- `transact` and `file_record` take the case's advisory lock (`pg_advisory_xact_lock`,
  keyed by the case ID) inside the transaction, then read and verify the case, run the
  caller's check and insert the new rows; commit or nothing. Two writers on one case
  queue on the lock, and the second checks against what the first committed.
- `open_case` takes the store's allocation lock, numbers the case one past the highest
  case ever opened that year (cases are never deleted: the table is insert-only) and
  inserts the case and its first event together.

Waiting for a lock longer than `lock_timeout` is a LockError. A lost connection (a
server restarting, a network failure) is a StoreError saying whether anything may have
been recorded: before COMMIT nothing was; a connection lost during COMMIT leaves the
outcome unknown, and the message says how to look.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from bwvdisclose.case.events import CaseOpenedEvent, Event, event_line
from bwvdisclose.case.payloads import Actor, CaseOpened
from bwvdisclose.case.verify import BadEvent, Chain, Verification
from bwvdisclose.errors import BwvError, CaseError, IntegrityError, LockError, StoreError
from bwvdisclose.store.base import (
    DEFAULT_LOCK_TIMEOUT,
    Build,
    CaseStore,
    Filed,
    LogEntry,
    RecordBuild,
    chain_events,
    check_case_id,
    record_file_name,
    utc_now,
)
from bwvdisclose.store.postgres.connect import connect, display_url, reason
from bwvdisclose.store.postgres.schema import check_schema

if TYPE_CHECKING:
    import psycopg

T = TypeVar("T")
CASE_LOCK = 0x42575643  # "BWVC": pg_advisory_xact_lock(CASE_LOCK, hashtext(case_id))
ALLOC_LOCK = (0x42575641, 0)  # "BWVA": allocating case IDs
LOG_LOCK = (0x4257564C, 0)  # "BWVL": appending to the store-wide log, held until commit
MAX_ATTEMPTS = 1000
MAX_CACHED = 256  # cases whose checked events a process keeps

_INSERT_LEAF = (
    "INSERT INTO bwvdisclose.log_leaves (idx, case_id, seq, head) "
    "SELECT coalesce(max(idx), -1) + 1, %s, %s, %s FROM bwvdisclose.log_leaves"
)
_INSERT_EVENT = (
    "INSERT INTO bwvdisclose.events (case_id, seq, type, prev, hash, line) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)


def event_row(case_id: str, event: Event) -> tuple[str, int, str, str, str, bytes]:
    return (case_id, event.seq, event.type, event.prev, event.hash, event_line(event)[:-1])


def check_lines(
    case_id: str,
    lines: Sequence[bytes],
    chain: Chain | None = None,
    leaf: tuple[int, str] | None = None,
) -> tuple[Verification, list[Event]]:
    """The verdict on a case's stored lines (in seq order), with the events that checked out.

    `leaf` is the case's last leaf in the store-wide log (seq, head): it plays the part
    of the folder store's HEAD, so events removed from the end, or added outside the
    store, are caught here too.
    """
    chain = chain or Chain(case_id)
    events: list[Event] = []
    try:
        for raw in lines:
            events.append(chain.check(raw))
    except BadEvent as bad:
        return Verification(case_id, False, chain.seq, bad.seq, bad.problem), events
    if not events:
        return Verification(case_id, False, 0, 1, "the case has no events"), events
    n = len(events)
    disagreement = leaf_problem(events, leaf)
    if disagreement is not None:
        return Verification(case_id, False, n, *disagreement), events
    return Verification(case_id, True, n, head=chain.hash), events


def leaf_problem(events: Sequence[Event], leaf: tuple[int, str] | None) -> tuple[int, str] | None:
    """(first bad seq, problem) if the case's events disagree with its last leaf."""
    if leaf is None:
        return None  # a case the log never committed: `audit verify` reports it
    n, (seq, head) = len(events), leaf
    if seq > n:
        removed = f"the store-wide log records {seq} events but the case has {n}"
        return n + 1, f"{removed}: events were removed"
    if events[seq - 1].hash != head:
        rewritten = f"event {seq} is not the one the store-wide log recorded"
        return seq, f"{rewritten}: the case was rewritten"
    if seq < n:
        which = f"event {n}" if seq == n - 1 else f"events {seq + 1} to {n}"
        return seq + 1, f"{which} not in the store-wide log: added outside the store"
    return None


class Ahead(NamedTuple):
    """A prefetched case: its lines, its last leaf, its record names."""

    lines: list[bytes] | None  # None once served
    leaf: tuple[int, str] | None
    records: list[str] | None
    files: dict[str, bytes] | None  # record files by name, when prefetched


class PostgresStore(CaseStore):
    """A case store in the PostgreSQL database at `url` (made with `store init`)."""

    def __init__(
        self,
        url: str,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(lock_timeout=lock_timeout, clock=clock)
        self.url = url
        self.location = display_url(url)
        self._conn: psycopg.Connection[Any] | None = None
        self._pid = 0
        self._checked: dict[str, tuple[Chain, list[Event]]] = {}
        self._ahead: dict[str, Ahead] = {}  # prefetched cases, each served once

    # --- the connection ------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """Pickled for worker processes without the connection: each opens its own."""
        return {**self.__dict__, "_conn": None, "_pid": 0, "_checked": {}, "_ahead": {}}

    def connection(self) -> psycopg.Connection[Any]:
        """The open connection (made on first use, again after a loss or in a new process)."""
        conn = self._conn
        if conn is not None and self._pid == os.getpid() and not conn.closed:
            return conn
        self._conn = None  # a parent's connection is never used, nor closed, in a child
        conn = connect(self.url, autocommit=True)
        try:
            check_schema(conn, self.location)
        except BaseException:
            conn.close()
            raise
        self._conn, self._pid = conn, os.getpid()
        return conn

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    @contextlib.contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """Turn the database's failures into the tool's errors, each saying what happened."""
        import psycopg

        try:
            yield
        except BwvError:
            raise
        except psycopg.errors.LockNotAvailable:
            raise LockError(
                f"{what} is locked by another user (waited {self.lock_timeout:g} s); try again"
            ) from None
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StoreError(
                f"{what}: your database role may not do this ({exc.diag.message_primary}); "
                "a store's users need its writer role, auditors its auditor role"
            ) from None
        except psycopg.errors.IntegrityError as exc:
            raise IntegrityError(
                f"{what}: the database refused the change ({exc.diag.message_primary})"
            ) from None
        except psycopg.OperationalError as exc:
            if self._conn is not None and not self._conn.broken and not self._conn.closed:
                raise StoreError(
                    f"{what}: the database failed ({reason(exc)}); nothing was recorded"
                ) from None
            self.close()
            raise StoreError(
                f"lost the connection to the case store {self.location} ({reason(exc)}); "
                "nothing was recorded"
            ) from None
        except psycopg.Error as exc:
            raise StoreError(f"{what}: the database failed: {reason(exc)}") from None

    def _write(self, what: str, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run `work` in one transaction under the lock timeout; commit, or record nothing."""
        import psycopg

        self._ahead.clear()

        with self._errors(what):
            conn = self.connection()
            committing = False
            try:
                with conn.transaction():
                    ms = max(1, int(self.lock_timeout * 1000))
                    conn.execute(f"SET LOCAL lock_timeout = {ms}")
                    result = work(conn)
                    committing = True
            except psycopg.OperationalError as exc:
                if not committing:
                    raise
                self.close()
                raise StoreError(
                    f"lost the connection to the case store {self.location} while committing "
                    f"({reason(exc)}): the change may or may not have been recorded; check "
                    "the case with `bwvdisclose show` before trying again"
                ) from None
            return result

    # --- reading -------------------------------------------------------------------------

    def list_ids(self) -> list[str]:
        with self._errors("listing the cases"):
            rows = self.connection().execute(
                "SELECT case_id FROM bwvdisclose.cases ORDER BY year, number"
            )
            return [r[0] for r in rows]

    def exists(self, case_id: str) -> bool:
        check_case_id(case_id)
        with self._errors(f"case {case_id}"):
            row = self.connection().execute(
                "SELECT 1 FROM bwvdisclose.cases WHERE case_id = %s", (case_id,)
            )
            return row.fetchone() is not None

    def _lines(
        self, conn: psycopg.Connection[Any], case_id: str
    ) -> tuple[list[bytes], tuple[int, str] | None] | None:
        """A case's stored lines in order and its last leaf in the store-wide log, or None
        when there is no such case (one query)."""
        rows = conn.execute(
            "SELECT e.line, leaf.seq, leaf.head FROM bwvdisclose.cases c "
            "LEFT JOIN bwvdisclose.events e ON e.case_id = c.case_id "
            "LEFT JOIN LATERAL (SELECT l.seq, l.head FROM bwvdisclose.log_leaves l "
            "  WHERE l.case_id = c.case_id ORDER BY l.seq DESC LIMIT 1) leaf ON true "
            "WHERE c.case_id = %s ORDER BY e.seq",
            (case_id,),
        ).fetchall()
        if not rows:
            return None
        leaf = (rows[0][1], rows[0][2]) if rows[0][1] is not None else None
        return [bytes(r[0]) for r in rows if r[0] is not None], leaf

    def prefetch(self, case_ids: Sequence[str], *, records: bool = False) -> None:
        """Read these cases (lines, last leaf, record names, and with `records` the record
        files too) in one query, for the reads that follow; any write through this store
        drops what is prefetched."""
        self._ahead.clear()
        data = "array_agg(r.data ORDER BY r.name)" if records else "NULL::bytea[]"
        query = (
            "SELECT c.case_id, "
            "  (SELECT array_agg(e.line ORDER BY e.seq) FROM bwvdisclose.events e "
            "   WHERE e.case_id = c.case_id), "
            "  leaf.seq, leaf.head, rec.names, rec.data "
            "FROM bwvdisclose.cases c "
            "LEFT JOIN LATERAL (SELECT l.seq, l.head FROM bwvdisclose.log_leaves l "
            "  WHERE l.case_id = c.case_id ORDER BY l.seq DESC LIMIT 1) leaf ON true "
            "LEFT JOIN LATERAL (SELECT array_agg(r.name ORDER BY r.name) AS names, "
            f"  {data} AS data FROM bwvdisclose.records r "
            "  WHERE r.case_id = c.case_id) rec ON true "
            "WHERE c.case_id = ANY(%s)"
        )
        with self._errors("reading cases"):
            rows = self.connection().execute(query, (list(case_ids),)).fetchall()
        for case_id, lines, seq, head, names, blobs in rows:
            leaf = (seq, head) if seq is not None else None
            files = dict(zip(names or [], (bytes(b) for b in blobs or []), strict=False))
            self._ahead[case_id] = Ahead(
                [bytes(x) for x in lines or []], leaf, names or [], files if records else None
            )

    def verify_and_read(self, case_id: str) -> tuple[Verification, list[Event]]:
        check_case_id(case_id)
        ahead = self._ahead.get(case_id)
        if ahead is not None and ahead.lines is not None:
            self._ahead[case_id] = ahead._replace(lines=None)  # the record names stay
            return check_lines(case_id, ahead.lines, None, ahead.leaf)
        with self._errors(f"case {case_id}"):
            found = self._lines(self.connection(), case_id)
        if found is None:
            raise CaseError(f"no case {case_id} in {self.location}")
        return check_lines(case_id, found[0], None, found[1])

    def log_bytes(self, case_id: str, count: int) -> bytes:
        check_case_id(case_id)
        with self._errors(f"case {case_id}"):
            rows = self.connection().execute(
                "SELECT line FROM bwvdisclose.events WHERE case_id = %s AND seq <= %s ORDER BY seq",
                (case_id, count),
            )
            return b"".join(bytes(r[0]) + b"\n" for r in rows)

    def read_record(self, case_id: str, name: str) -> bytes | None:
        check_case_id(case_id)
        ahead = self._ahead.get(case_id)
        if ahead is not None and ahead.files is not None and name in ahead.files:
            return ahead.files.pop(name)
        with self._errors(f"case {case_id}"):
            row = self.connection().execute(
                "SELECT data FROM bwvdisclose.records WHERE case_id = %s AND name = %s",
                (case_id, name),
            )
            found = row.fetchone()
        return bytes(found[0]) if found else None

    def record_location(self, case_id: str, name: str) -> str:
        return f"{self.location} (case {check_case_id(case_id)}, record {name})"

    def record_names(self, case_id: str) -> list[str]:
        check_case_id(case_id)
        ahead = self._ahead.get(case_id)
        if ahead is not None and ahead.records is not None:
            self._ahead[case_id] = ahead._replace(records=None)
            return list(ahead.records)
        with self._errors(f"case {case_id}"):
            rows = self.connection().execute(
                "SELECT name FROM bwvdisclose.records WHERE case_id = %s ORDER BY name",
                (case_id,),
            )
            return [r[0] for r in rows]

    # --- writing -------------------------------------------------------------------------

    def open_case(self, actor: Actor, make: Callable[[str], CaseOpened]) -> CaseOpenedEvent:
        def work(conn: psycopg.Connection[Any]) -> CaseOpenedEvent:
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", ALLOC_LOCK)
            now = self.clock()
            row = conn.execute(
                "SELECT coalesce(max(number), 0) + 1 FROM bwvdisclose.cases WHERE year = %s",
                (now.year,),
            ).fetchone()
            assert row is not None
            case_id = f"BWV-{now.year:04d}-{row[0]:04d}"
            [event] = chain_events(case_id, None, actor, [make(case_id)], now)
            assert isinstance(event, CaseOpenedEvent) and event.case_id == case_id
            conn.execute(
                "INSERT INTO bwvdisclose.cases (case_id, year, number) VALUES (%s, %s, %s)",
                (case_id, now.year, row[0]),
            )
            self._insert(conn, case_id, [event])
            return event

        return self._write("the case store", work)

    def _locked_events(self, conn: psycopg.Connection[Any], case_id: str) -> list[Event]:
        """Inside a transaction: take the case's lock, then read and verify its events.

        Rows are insert-only, so events this process has checked are kept (with the
        chain's state) and only the rows after them are read, from the last checked
        one on: if that row is not as it was, the whole case is read again.
        """
        conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (CASE_LOCK, case_id))
        cached = self._checked.get(case_id)
        if cached is not None:
            chain, events = cached
            rows = conn.execute(
                "SELECT seq, hash, line FROM bwvdisclose.events "
                "WHERE case_id = %s AND seq >= %s ORDER BY seq",
                (case_id, chain.seq),
            ).fetchall()
            if rows and rows[0][0] == chain.seq and rows[0][1] == chain.hash:
                try:
                    events.extend(chain.check(bytes(r[2])) for r in rows[1:])
                except BadEvent as bad:
                    self._checked.pop(case_id, None)
                    raise self._damaged(case_id, bad.problem) from None
                bad_leaf = leaf_problem(events, self._last_leaf(conn, case_id))
                if bad_leaf is not None:
                    self._checked.pop(case_id, None)
                    raise self._damaged(case_id, bad_leaf[1])
                return list(events)
        self._checked.pop(case_id, None)
        found = self._lines(conn, case_id)
        if found is None:
            raise CaseError(f"no case {case_id} in {self.location}")
        chain = Chain(case_id)
        verdict, events = check_lines(case_id, found[0], chain, found[1])
        if not verdict.ok:
            raise self._damaged(case_id, verdict.problem)
        if len(self._checked) >= MAX_CACHED:
            self._checked.clear()
        self._checked[case_id] = (chain, events)
        return list(events)

    @staticmethod
    def _damaged(case_id: str, problem: str | None) -> IntegrityError:
        return IntegrityError(f"case {case_id}: will not append to a damaged log: {problem}")

    @staticmethod
    def _last_leaf(conn: psycopg.Connection[Any], case_id: str) -> tuple[int, str] | None:
        row = conn.execute(
            "SELECT seq, head FROM bwvdisclose.log_leaves WHERE case_id = %s "
            "ORDER BY seq DESC LIMIT 1",
            (case_id,),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def _insert(self, conn: psycopg.Connection[Any], case_id: str, new: Sequence[Event]) -> None:
        """Insert events after the case's last, then commit them in the store-wide log: one
        leaf naming the new head, numbered under the log's lock (held until COMMIT)."""
        if not new:
            return
        with conn.cursor() as cur:
            cur.executemany(_INSERT_EVENT, [event_row(case_id, e) for e in new])
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", LOG_LOCK)
        conn.execute(_INSERT_LEAF, (case_id, new[-1].seq, new[-1].hash))

    def transact(self, case_id: str, actor: Actor, build: Build) -> list[Event]:
        check_case_id(case_id)

        def work(conn: psycopg.Connection[Any]) -> list[Event]:
            events = self._locked_events(conn, case_id)
            bodies = build(events)
            new = chain_events(case_id, events[-1], actor, bodies, self.clock())
            self._insert(conn, case_id, new)
            return new

        return self._write(f"case {case_id}", work)

    def file_record(self, case_id: str, actor: Actor, data: bytes, build: RecordBuild) -> Filed:
        check_case_id(case_id)
        digest = hashlib.sha256(data).hexdigest()

        def work(conn: psycopg.Connection[Any]) -> Filed:
            events = self._locked_events(conn, case_id)
            taken = set(self.record_names_in(conn, case_id))
            seq = events[-1].seq + 1
            name = next(
                n
                for k in range(MAX_ATTEMPTS)
                if (n := record_file_name(case_id, seq, digest, k)) not in taken
            )
            body = build(events, name)
            [event] = chain_events(case_id, events[-1], actor, [body], self.clock())
            conn.execute(
                "INSERT INTO bwvdisclose.records (case_id, name, data, sha256) "
                "VALUES (%s, %s, %s, %s)",
                (case_id, name, data, digest),
            )
            self._insert(conn, case_id, [event])
            return Filed(name, event)

        return self._write(f"case {case_id}", work)

    def import_case(self, events: Sequence[Event], records: Mapping[str, bytes]) -> None:
        first = events[0] if events else None
        if not isinstance(first, CaseOpenedEvent):
            raise CaseError("a case to import must start with its case_opened event")
        case_id = check_case_id(first.case_id)
        rows = [event_row(case_id, e) for e in events]
        verdict, _ = check_lines(case_id, [r[-1] for r in rows])
        if not verdict.ok:
            raise IntegrityError(f"case {case_id}: will not import a bad log: {verdict.problem}")
        year, number = (int(part) for part in case_id.split("-")[1:])

        def work(conn: psycopg.Connection[Any]) -> None:
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", ALLOC_LOCK)
            taken = conn.execute(
                "SELECT 1 FROM bwvdisclose.cases WHERE case_id = %s", (case_id,)
            ).fetchone()
            if taken:
                raise CaseError(f"case {case_id} already exists in {self.location}")
            conn.execute(
                "INSERT INTO bwvdisclose.cases (case_id, year, number) VALUES (%s, %s, %s)",
                (case_id, year, number),
            )
            with conn.cursor() as cur:
                cur.executemany(_INSERT_EVENT, rows)
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", LOG_LOCK)
                conn.execute(_INSERT_LEAF, (case_id, rows[-1][1], rows[-1][4]))
                cur.executemany(
                    "INSERT INTO bwvdisclose.records (case_id, name, data, sha256) "
                    "VALUES (%s, %s, %s, %s)",
                    [
                        (case_id, name, data, hashlib.sha256(data).hexdigest())
                        for name, data in records.items()
                    ],
                )

        self._write(f"case {case_id}", work)

    @staticmethod
    def record_names_in(conn: psycopg.Connection[Any], case_id: str) -> list[str]:
        rows = conn.execute(
            "SELECT name FROM bwvdisclose.records WHERE case_id = %s", (case_id,)
        ).fetchall()
        return [r[0] for r in rows]

    # --- the store-wide log ------------------------------------------------------------

    def log_origin(self) -> str | None:
        with self._errors("the store-wide log"):
            row = self.connection().execute("SELECT origin FROM bwvdisclose.log_origin")
            found = row.fetchone()
        return str(found[0]) if found else None

    def log_entries(self) -> list[LogEntry]:
        with self._errors("the store-wide log"), self.connection().cursor() as cur:
            cur.execute("SELECT idx, case_id, seq, head FROM bwvdisclose.log_leaves ORDER BY idx")
            entries = [LogEntry(i, c, s, h) for i, c, s, h in cur]
        for n, entry in enumerate(entries):
            if entry.index != n:
                raise IntegrityError(
                    f"the store-wide log has no leaf {n} (the next is {entry.index}): "
                    "leaves were removed"
                )
        return entries

    def adopt(self) -> int:
        """A store's log is made with its schema (migration 2 adopts older cases)."""
        with self._errors("the store-wide log"):
            self.connection()
        raise StoreError(f"{self.location} already has a store-wide log; nothing was changed")
