"""FolderStore: one folder per case holding an append-only, hash-chained `events.jsonl`.

Layout: `<root>/.lock` (taken to allocate IDs), and per case `<root>/BWV-YYYY-NNNN/`
with `events.jsonl`, `HEAD`, `.lock` and `records/`. Files are 0600, folders 0700.

An append (`transact`), under an exclusive flock on the case's `.lock`: verify the whole
log (refusing a damaged one), drop a torn final line, run the caller's check, write HEAD
as `{"seq": n, "hash": h(n), "pending": h(n+k)}`, append the k new lines with one write
and fsync, then write HEAD as `{"seq": n+k, "hash": h(n+k)}`. HEAD is replaced atomically
each time. So after a crash HEAD names the last event, or an earlier one with the last
event's hash as `pending`; any other extra line was added outside the store. If a write
fails (a full disk), the log is cut back to where it was before the failure is reported.
Readers take a shared flock, so they never see an append half done.

A new case is written whole in a private folder and renamed into place, so a failed
`new` leaves no case folder behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from pathlib import Path

from bwvdisclose.case.events import (
    ZERO_HASH,
    CaseOpenedEvent,
    Event,
    RecordRenderedEvent,
    event_line,
)
from bwvdisclose.case.payloads import Actor, CaseOpened
from bwvdisclose.case.verify import (
    BadEvent,
    Chain,
    Head,
    LogScan,
    Verification,
    finish,
    parse_head,
    scan_log,
)
from bwvdisclose.errors import BwvError, CaseError, IntegrityError, StoreError
from bwvdisclose.store import files
from bwvdisclose.store.base import (
    DEFAULT_LOCK_TIMEOUT,
    ID_RE,
    PARTIAL,
    Build,
    CaseStore,
    Filed,
    LogEntry,
    RecordBuild,
    chain_events,
    check_case_id,
    id_sort_key,
    leaf_data,
    next_case_id,
    record_file_name,
    utc_now,
)
from bwvdisclose.store.files import (
    append_line,
    locked,
    make_dir,
    read_bytes,
    replace_file,
    truncate,
)
from bwvdisclose.store.folder_log import FolderLog, missing_log

LOG, HEAD, LOCK = "events.jsonl", "HEAD", ".lock"
RECORDS_DIR = "records"


def record_path(folder: Path, name: str) -> Path:
    """Where a case's rendered record `name` lives: `<case>/records/<name>`, nowhere else."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
        raise IntegrityError(f"{name!r} is not a plain record file name")
    return folder / RECORDS_DIR / name


def filed_in_case(path: Path) -> Path | None:
    """The case folder holding `path`, if `path` is a record filed in a folder store's case.

    Such a file is the one the case log hashes: it is never changed in place.
    """
    real = path.resolve()
    case = real.parent.parent
    if real.parent.name == RECORDS_DIR and (case / LOG).is_file() and (case / HEAD).is_file():
        return case
    return None


class FolderStore(CaseStore):
    def __init__(
        self,
        root: Path | str,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(lock_timeout=lock_timeout, clock=clock)
        self.root = Path(root)
        self.location = str(self.root)
        self.log = FolderLog(self.root, lock_timeout)

    # --- finding cases -------------------------------------------------------------------

    def case_dir(self, case_id: str) -> Path:
        return self.root / check_case_id(case_id)

    def exists(self, case_id: str) -> bool:
        return self.case_dir(case_id).is_dir()

    def _real_folder(self, case_id: str) -> str:
        """The case's folder: it must exist and be a folder in the store, not a link."""
        folder = os.path.join(self.root, check_case_id(case_id))  # os.path: audits read many
        if os.path.islink(folder):
            raise IntegrityError(
                f"{folder} is a symbolic link; a case folder must be a real folder in the store"
            )
        if not os.path.lexists(folder):
            raise CaseError(f"no case {case_id} in {self.root}")
        if not os.path.isdir(folder):
            raise IntegrityError(f"{folder} is not a folder; a case is a folder in the store")
        return folder

    def list_ids(self) -> list[str]:
        """Every case folder's ID, in order of year and number.

        A link to a folder is listed too (is_dir follows it), so that a listing shows it
        as damaged: reading it is refused.
        """
        if not self.root.is_dir():
            return []
        names = [e.name for e in os.scandir(self.root) if e.is_dir() and ID_RE.fullmatch(e.name)]
        return sorted(names, key=id_sort_key)

    def _existing(self, case_id: str) -> Path:
        return Path(self._real_folder(case_id))

    # --- writing -------------------------------------------------------------------------

    def open_case(self, actor: Actor, make: Callable[[str], CaseOpened]) -> CaseOpenedEvent:
        """Allocate the next ID through the store-wide log and write the new case whole.

        Under the store lock: the case is written in a private folder with HEAD marking
        its one event uncommitted, renamed into place, committed by its leaf in the
        store-wide log, then HEAD names it. If anything fails the folder is removed.
        """
        self._ensure_root()
        with locked(self.root / LOCK, f"the case store {self.root}", self.lock_timeout):
            self._ensure_log()
            issued = self.log.issued()
            self._remove_uncommitted(issued)
            now = self.clock()
            case_id = next_case_id([*issued, *self.list_ids()], now.year)
            body = make(case_id)
            (event,) = chain_events(case_id, None, actor, [body], now)
            assert isinstance(event, CaseOpenedEvent)
            head = Head(seq=0, hash=ZERO_HASH, pending=event.hash).to_bytes()
            folder = self._place_new_case(case_id, {LOG: event_line(event), HEAD: head, LOCK: b""})
            try:
                with self.log.locked():
                    old = self.log.append([leaf_data(case_id, 1, event.hash)])
                    try:
                        final = Head(seq=1, hash=event.hash).to_bytes()
                        replace_file(folder / HEAD, final, done_at_rename=True)
                    except BaseException:
                        self.log.cut(old)
                        raise
            except BaseException:
                self._discard(folder)
                raise
        return event

    def _discard(self, folder: Path) -> None:
        """Remove a new case's folder that was never committed (store lock held)."""
        tmp = self.root / f".new-{folder.name}-{os.getpid()}-discard"
        with contextlib.suppress(OSError):
            os.rename(folder, tmp)  # no write point: undoing must not fail in its turn
            files.fsync_dir(self.root)
        with contextlib.suppress(OSError):
            files.remove_tree(tmp)

    def _remove_uncommitted(self, committed: Set[str]) -> None:
        """Settle interrupted `new`s (store lock held): remove private folders, and case
        folders whose HEAD marks them uncommitted: kept (HEAD completed) if the store-wide
        log committed them, removed if not."""
        for entry in os.scandir(self.root):
            if entry.name.startswith(".new-") and entry.is_dir(follow_symlinks=False):
                files.remove_tree(Path(entry.path))
            elif ID_RE.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                folder = Path(entry.path)
                try:
                    head = parse_head(read_bytes(folder / HEAD))
                except (OSError, BwvError):
                    continue  # damaged, not ours to settle: audits report it
                if head is None or head.seq != 0 or not head.pending:
                    continue
                if entry.name in committed:
                    events = self._scan(folder, entry.name).events
                    seqs = [e.seq for e in events if e.hash == head.pending]
                    if seqs:
                        replace_file(folder / HEAD, Head(seq=seqs[0], hash=head.pending).to_bytes())
                else:
                    self._discard(folder)

    def _place_new_case(self, case_id: str, contents: dict[str, bytes]) -> Path:
        """Write a case's files in a private folder, then rename it into place (store lock held)."""
        folder = self.root / case_id
        if os.path.lexists(folder):
            raise CaseError(f"{folder} already exists; the store is inconsistent")
        tmp = self.root / f".new-{case_id}-{os.getpid()}"
        try:
            files.remove_tree(tmp)
            make_dir(tmp)
            for name, data in contents.items():
                files.write_new(tmp / name, data)
            files.fsync_dir(tmp)
            files.rename(tmp, folder)
            files.fsync_dir(self.root)
        except BaseException:
            with contextlib.suppress(OSError):
                files.remove_tree(tmp)
            if os.path.lexists(folder) and not os.path.lexists(tmp):
                self._discard(folder)
            raise
        return folder

    def transact(self, case_id: str, actor: Actor, build: Build) -> list[Event]:
        folder = self._existing(case_id)
        with locked(folder / LOCK, f"case {case_id}", self.lock_timeout, create=False):
            scan = self._scan_for_writing(folder, case_id)
            bodies = list(build(scan.events))
            if not bodies:
                return []
            events = chain_events(case_id, scan.events[-1], actor, bodies, self.clock())
            self._write(folder, scan, events)
            return events

    def _scan_for_writing(self, folder: Path, case_id: str) -> LogScan:
        """The case's log, checked, with an interrupted append settled (case lock held).

        Events the last append wrote but HEAD does not name yet are kept if the store-wide
        log committed them (HEAD catches up), else cut off: they were never acknowledged.
        """
        scan = self._scan(folder, case_id)
        if not scan.verification.ok:
            problem = scan.verification.problem
            raise IntegrityError(f"case {case_id}: will not append to a damaged log: {problem}")
        if scan.pending:
            last = scan.pending[-1]
            if self.log.exists() and self.log.contains(case_id, last.seq, last.hash):
                head = Head(seq=last.seq, hash=last.hash)
            else:
                truncate(folder / LOG, sum(len(event_line(e)) for e in scan.events))
                head = Head(seq=scan.events[-1].seq, hash=scan.events[-1].hash)
            replace_file(folder / HEAD, head.to_bytes())
            scan = self._scan(folder, case_id)
        return scan

    def file_record(self, case_id: str, actor: Actor, data: bytes, build: RecordBuild) -> Filed:
        """File the record and log it, under the case lock; never replacing any file.

        The bytes go to `records/.partial-NAME` (exclusive create, fsync), the event is
        appended, then NAME is made a hard link to it (link never replaces) and the
        partial name removed. A crash leaves at worst a `.partial-` file: before the
        event it is an unfinished record nobody named; after it, the record itself,
        which `read_record` finds there.
        """
        folder = self._existing(case_id)
        with locked(folder / LOCK, f"case {case_id}", self.lock_timeout, create=False):
            scan = self._scan_for_writing(folder, case_id)
            records = self._records_dir(folder)
            named = {e.file for e in scan.events if isinstance(e, RecordRenderedEvent)}
            self._drop_unfinished(records, named)
            name = self._free_name(records, case_id, scan.events[-1].seq + 1, data)
            partial = records / (PARTIAL + name)
            files.write_new(partial, data)
            try:
                body = build(scan.events, name)
                events = chain_events(case_id, scan.events[-1], actor, [body], self.clock())
                self._write(folder, scan, events)
            except BaseException:
                with contextlib.suppress(OSError):
                    files.unlink(partial)
                raise
            with contextlib.suppress(OSError):  # committed: the record is found either way
                files.link(partial, records / name)
                files.unlink(partial)
                files.fsync_dir(records)
            return Filed(name, events[0])

    def _records_dir(self, folder: Path) -> Path:
        records = folder / RECORDS_DIR
        if records.is_symlink() or (os.path.lexists(records) and not records.is_dir()):
            raise IntegrityError(f"{records} is not a folder of the case (a link or a file)")
        if not records.exists():
            make_dir(records)
        return records

    @staticmethod
    def _drop_unfinished(records: Path, named: set[str]) -> None:
        """Remove `.partial-` files no event names (left by an interrupted `record`)."""
        for entry in os.scandir(records):
            if entry.name.startswith(PARTIAL) and entry.name[len(PARTIAL) :] not in named:
                files.unlink(Path(entry.path))

    @staticmethod
    def _free_name(records: Path, case_id: str, seq: int, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        for attempt in range(100):
            name = record_file_name(case_id, seq, digest, attempt)
            if not os.path.lexists(records / name) and not os.path.lexists(
                records / (PARTIAL + name)
            ):
                return name
        raise CaseError(f"{records}: no free name for a record")

    def _write(self, folder: Path, scan: LogScan, events: Sequence[Event]) -> None:
        """Append `events` after the scanned log, commit them in the store-wide log, then
        name them in HEAD (see the top). On any failure everything is taken back."""
        last, new = scan.events[-1], events[-1]
        if scan.complete < scan.size:
            truncate(folder / LOG, scan.complete)
        replace_file(folder / HEAD, Head(seq=last.seq, hash=last.hash, pending=new.hash).to_bytes())
        try:
            append_line(folder / LOG, b"".join(event_line(e) for e in events))
            self._ensure_log_exists()
            with self.log.locked():
                old = self.log.append([leaf_data(folder.name, new.seq, new.hash)])
                try:
                    final = Head(seq=new.seq, hash=new.hash).to_bytes()
                    replace_file(folder / HEAD, final, done_at_rename=True)
                except BaseException:
                    self.log.cut(old)
                    raise
        except BaseException:
            with contextlib.suppress(OSError):
                truncate(folder / LOG, scan.complete)  # frees space: cannot fail for want of it
            raise

    # --- the store-wide log --------------------------------------------------------------

    def log_origin(self) -> str | None:
        return self.log.origin()

    def log_entries(self) -> list[LogEntry]:
        return self.log.read()[0]

    def adopt(self) -> int:
        """Give the store a log from its cases as they stand (explicit: `store adopt-log`)."""
        if self.log.exists():
            raise StoreError(f"{self.root} already has a store-wide log; nothing was changed")
        self._ensure_root()
        with locked(self.root / LOCK, f"the case store {self.root}", self.lock_timeout):
            if self.log.exists():
                raise StoreError(f"{self.root} already has a store-wide log; nothing was changed")
            return self._adopt()

    def _ensure_log_exists(self) -> None:
        if not self.log.exists():
            with locked(self.root / LOCK, f"the case store {self.root}", self.lock_timeout):
                self._ensure_log()

    def _ensure_log(self) -> None:
        """Make sure the store has a log before a write (store lock held).

        A store with no cases gets an empty one. A store that has cases but no log (the
        log was removed, or an older version wrote the store) is refused: rebuilding the
        log from what is left would forget every case deleted with it, and issue its ID
        again. `store adopt-log` does that on purpose, once someone has looked.
        """
        if self.log.exists():
            return
        if self.list_ids():
            raise IntegrityError(missing_log(self.root))
        self.log.create([])

    def _adopt(self) -> int:
        leaves = []
        for case_id in self.list_ids():
            with contextlib.suppress(BwvError):
                verdict, events = self.verify_and_read(case_id)
                if verdict.ok and events:
                    leaves.append(leaf_data(case_id, events[-1].seq, events[-1].hash))
        self.log.create(leaves)
        return len(leaves)

    def import_case(self, events: Sequence[Event], records: Mapping[str, bytes]) -> None:
        from bwvdisclose.store.bulk import write_case

        write_case(self, events, records)

    def _ensure_root(self) -> None:
        if not self.root.is_dir():
            self.root.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):  # another process made it first
                make_dir(self.root)

    # --- reading -------------------------------------------------------------------------

    def _scan(self, folder: Path | str, case_id: str) -> LogScan:
        log, head = os.path.join(folder, LOG), os.path.join(folder, HEAD)
        return scan_log(case_id, read_bytes(log), read_bytes(head))

    def verify_and_read(self, case_id: str) -> tuple[Verification, list[Event]]:
        """One pass: the verdict and the events that checked out (all of them if ok)."""
        folder = self._real_folder(case_id)
        with locked(os.path.join(folder, LOCK), f"case {case_id}", self.lock_timeout, shared=True):
            scan = self._scan(folder, case_id)
        return scan.verification, scan.events

    def log_bytes(self, case_id: str, count: int) -> bytes:
        folder = self._real_folder(case_id)
        with locked(os.path.join(folder, LOCK), f"case {case_id}", self.lock_timeout, shared=True):
            data = read_bytes(os.path.join(folder, LOG)) or b""
        end = 0
        for _ in range(count):
            end = data.index(b"\n", end) + 1
        return data[:end]

    def read_record(self, case_id: str, name: str) -> bytes | None:
        path = record_path(self._existing(case_id), name)
        found = read_bytes(path)
        if found is None:  # a `record` interrupted after logging: the file is still partial
            found = read_bytes(path.with_name(PARTIAL + name))
        return found

    def record_location(self, case_id: str, name: str) -> str:
        return str(record_path(self.case_dir(case_id), name))

    def record_names(self, case_id: str) -> list[str]:
        records = os.path.join(self._real_folder(case_id), RECORDS_DIR)
        if not os.path.isdir(records) or os.path.islink(records):
            return []
        return sorted(e.name for e in os.scandir(records))

    def iter_events(self, case_id: str) -> Iterator[Event]:
        """Stream a case's events, checking each; IntegrityError at the first bad one.

        The case ID is checked at once; a shared lock is held until the stream ends.
        """
        return self._stream(self._existing(case_id), case_id)

    def _stream(self, folder: Path, case_id: str) -> Iterator[Event]:
        with locked(folder / LOCK, f"case {case_id}", self.lock_timeout, shared=True):
            chain = Chain(case_id)
            try:
                with open(folder / LOG, "rb") as fh:
                    for raw in fh:
                        if not raw.endswith(b"\n"):
                            break  # a torn write, never acknowledged
                        yield chain.check(raw[:-1])
            except FileNotFoundError:
                pass
            except BadEvent as bad:
                raise IntegrityError(f"case {case_id} fails verification: {bad.problem}") from None
            verdict = finish(chain, parse_head(read_bytes(folder / HEAD)), [])
            if not verdict.ok:
                raise IntegrityError(f"case {case_id} fails verification: {verdict.problem}")
