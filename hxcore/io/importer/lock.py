"""One write at a time per database: imports and undos take a lease first, and give it back in the
transaction that commits.

The lease is one row of `import_lease`, naming who holds it, since when and for what. Taking it is a
short transaction of its own, serialised by the database (SQLite `BEGIN IMMEDIATE`, waiting at most
a second; PostgreSQL an advisory transaction lock), which finds no live holder and writes the row.
The import's own transaction (SQLite again `BEGIN IMMEDIATE`, so its reads and writes see one state
of the file) checks the lease is still its own and deletes it just before committing, so the import
is committed and the lease freed in one step. A second import meanwhile is refused at once, with
"Đang có một lần nhập khác do X bắt đầu lúc T"; nothing of it is written.

A holder killed with kill -9 leaves its row behind; the next import sees it is dead and takes the
lease over: on PostgreSQL the holder's database session is gone; elsewhere its process (same
host) is gone or is a new process with the same number, and a lease of another host expires
after LEASE_EXPIRY. The table is not part of the data schema (hxcore.db.schema): it is
created on demand, and neither database_fingerprint nor build-demo looks at it.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Table, delete, insert, inspect, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from hxcore.io.importer.plan import ImportPlan, ImportRejected
from hxcore.io.importer.problems import Problem
from hxcore.io.processes import process_alive

NAME = "import"  # the one lease of a database
LEASE_EXPIRY = timedelta(hours=1)  # a lease of another host, whose process cannot be asked, counts as dead after this
ADVISORY_KEY = 0x6878696D706F7274  # "hximport": PostgreSQL's lock serialising those who take the lease
TAKE_WAIT_MS = 1000  # SQLite: how long taking the lease waits for the file; an import's transaction holds it longer
TAKE_ATTEMPTS = 3
ROOMY_CACHE = -65536  # SQLite: 64 MiB of page cache while an import writes, so its pages stay in memory until the
# commit and readers (the app, a second import reading the lease) are not locked out during the write
_PROCESS = secrets.token_hex(8)  # this process: a restarted server reusing a process number is not the holder
_HELD: set[str] = set()  # tokens of the leases this process holds now

lease_metadata = MetaData()
import_lease = Table(
    "import_lease",
    lease_metadata,
    Column("name", String(16), primary_key=True),
    Column("token", String(32), nullable=False),
    Column("user_name", String(80), nullable=False),
    Column("started_at", String(32), nullable=False),  # ISO timestamp, UTC
    Column("action", String(300), nullable=False),  # "nhập tệp 'so-lieu.xlsx'", "hoàn tác lần nhập 3"
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("process", String(16), nullable=False),
    Column("db_session", String(64)),  # PostgreSQL: the holder's backend process and its start
)


class ImportBusy(ImportRejected):
    """Another import or undo holds the database: nothing was written, try again when it is done."""

    def __init__(self, message: str, file_name: str = ""):
        plan = ImportPlan(file_name, "", "", [Problem(file_name, 0, "", file_name, message)])
        super().__init__(plan, message)


def shown_time(iso: str) -> str:
    """An ISO timestamp as people read it, in the server's time zone: 14:05:09 ngày 30/06/2023."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%H:%M:%S ngày %d/%m/%Y")
    except ValueError:
        return iso


def busy_message(held: Mapping | None) -> str:
    if held is None:  # the database is locked by a write that is not an import (rare, short)
        return "Cơ sở dữ liệu đang bận ghi: chưa ghi gì, hãy thử lại sau ít phút."
    return (f"Đang có một lần nhập khác do {held['user_name']} bắt đầu lúc {shown_time(held['started_at'])} "
            f"({held['action']}): chưa ghi gì, hãy thử lại khi lần đó xong.")


@dataclass
class Lease:
    token: str
    conn: Connection  # the connection that took it: the write runs on it
    given_back: bool = False  # by the transaction that committed

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """The write transaction: the lease is checked first and given back in the same commit."""
        with _sqlite_pragma(self.conn, "cache_size", ROOMY_CACHE), self.conn.begin():
            try:
                _serialise(self.conn, advisory=False)
            except OperationalError:  # SQLite: a write that is not an import held the file past the driver's timeout
                raise ImportBusy(busy_message(None)) from None
            held = _read(self.conn)
            if held is None or held["token"] != self.token:  # judged dead and taken over: never write then
                raise ImportBusy(busy_message(held))
            yield self.conn
            self.conn.execute(delete(import_lease).where(import_lease.c.token == self.token))
        self.given_back = True


@contextmanager
def holding(engine: Engine, user: str, action: str, file_name: str = "") -> Iterator[Lease]:
    """Hold the database's lease for `action`, or raise ImportBusy naming who holds it."""
    _create_table(engine)
    token = secrets.token_hex(16)
    _HELD.add(token)  # before the row exists: another thread of this process must never find it unheld
    try:
        with engine.connect() as conn:
            _take(conn, token, user, action, file_name)
            lease = Lease(token, conn)
            try:
                yield lease
            finally:
                if not lease.given_back:
                    _give_back(conn, token)
    finally:
        _HELD.discard(token)


def _create_table(engine: Engine) -> None:
    """The lease table, on first use; two first imports at once may both try: one creates it."""
    try:
        lease_metadata.create_all(engine)
    except DBAPIError:
        if not inspect(engine).has_table(import_lease.name):
            raise


def _take(conn: Connection, token: str, user: str, action: str, file_name: str) -> None:
    """The lease, taken in a short transaction of its own; ImportBusy at once when someone alive holds it."""
    for _ in range(TAKE_ATTEMPTS):
        held = _live_holder(conn)  # first a look, waiting for no lock: a running import is named at once
        if held is not None:
            raise ImportBusy(busy_message(held), file_name)
        try:
            _write_lease(conn, token, user, action)
            return
        except ImportBusy as busy:
            raise ImportBusy(str(busy), file_name) from None
        except OperationalError:  # SQLite: the file stayed locked for a write (an import began meanwhile): look again
            continue
    raise ImportBusy(busy_message(None), file_name)


def _live_holder(conn: Connection) -> Mapping | None:
    """The lease, when someone alive holds it."""
    try:
        with conn.begin():
            held = _read(conn)
            return held if held is not None and _alive(conn, held) else None
    except OperationalError:  # SQLite: a write is being committed right now
        return None


def _write_lease(conn: Connection, token: str, user: str, action: str) -> None:
    with conn.begin(), _sqlite_pragma(conn, "busy_timeout", TAKE_WAIT_MS):  # others taking it hold it for moments
        _serialise(conn, advisory=True)
        held = _read(conn)
        if held is not None and _alive(conn, held):
            raise ImportBusy(busy_message(held))
        conn.execute(delete(import_lease).where(import_lease.c.name == NAME))  # a dead holder's row, if any
        conn.execute(insert(import_lease).values(
            name=NAME, token=token, user_name=user[:80], started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            action=action[:300], host=socket.gethostname()[:255], pid=os.getpid(), process=_PROCESS,
            db_session=_db_session(conn)))


@contextmanager
def _sqlite_pragma(conn: Connection, name: str, value: int) -> Iterator[None]:
    """A SQLite setting of this connection changed for a while (nothing on other databases)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = conn.connection.driver_connection  # outside SQLAlchemy's transaction bookkeeping: PRAGMAs are not data
    old = driver.execute(f"PRAGMA {name}").fetchone()[0]
    driver.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA {name} = {int(old)}")


def _give_back(conn: Connection, token: str) -> None:
    """After a failed or refused write (a committed one has already deleted the row)."""
    try:
        if conn.in_transaction():
            conn.rollback()
        with conn.begin():
            conn.execute(delete(import_lease).where(import_lease.c.token == token))
    except OperationalError:
        pass  # left behind, it is seen as dead: this process no longer holds its token


def _serialise(conn: Connection, advisory: bool) -> None:
    """Make this transaction the database's only writer: at once on SQLite; PostgreSQL only while taking the lease."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql" and advisory:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})


def _read(conn: Connection) -> Mapping | None:
    return conn.execute(select(import_lease).where(import_lease.c.name == NAME)).mappings().first()


def _db_session(conn: Connection) -> str | None:
    if conn.dialect.name != "postgresql":
        return None
    pid, started = conn.execute(text("SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()")).one()
    return f"{pid}@{started.isoformat()}"


def _alive(conn: Connection, held: Mapping) -> bool:
    """Is the lease's holder still running?"""
    if held["db_session"] and conn.dialect.name == "postgresql":
        pid, started = held["db_session"].split("@", 1)
        row = conn.execute(text("SELECT backend_start FROM pg_stat_activity WHERE pid = :pid"), {"pid": int(pid)}).first()
        return row is not None and (row[0] is None or row[0].isoformat() == started)  # None: another role's session
    if held["host"] != socket.gethostname():
        return datetime.now(UTC) - datetime.fromisoformat(held["started_at"]) < LEASE_EXPIRY
    if held["pid"] == os.getpid():
        return held["process"] == _PROCESS and held["token"] in _HELD
    return process_alive(held["pid"])
