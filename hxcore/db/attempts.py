"""Failed sign-ins in the database (table sign_in_attempts): what hxcore.io.auth's lockout reads and writes.

Kept in the database, not in a process, so a lockout survives a restart and the app and the CLI
count the same attempts. A row counts one name's failures in a window that starts at its first
failure; the failure that reaches the limit locks the name for one window. Size stays bounded:

- a row whose window has passed, and that is not locked, is deleted on every write;
- the table never holds more than `max_rows` rows: beyond it the oldest unlocked rows go first,
  then the locks that end soonest (filling it takes `max_rows` bcrypt checks, each as slow as a
  real sign-in).

Names are stored as a SHA-256, not as typed (people type passwords into the name field).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, and_, case, delete, func, insert, inspect, or_, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from hxcore.db import schema

MAX_ROWS = 10_000  # ~1 MB: a flood of distinct names stays this size
_TABLE = schema.sign_in_attempts


def name_key(name: str) -> str:
    """The row's key for a user name (as typed, after trimming and lower-casing)."""
    return hashlib.sha256(b"hx-sign-in\x00" + name.encode("utf-8", "surrogatepass")).hexdigest()


def _has_table(engine: Engine) -> bool:
    return inspect(engine).has_table(_TABLE.name)


def ensure_table(engine: Engine) -> None:
    """Create the table in a database made before it existed (another process may be doing the same)."""
    try:
        _TABLE.create(engine, checkfirst=True)
    except SQLAlchemyError:
        if not _has_table(engine):
            raise


def locked_until(engine: Engine, key: str, now: float) -> float | None:
    """When the name's lock ends, if it is locked at `now`; None otherwise."""
    if not _has_table(engine):
        return None
    with engine.connect() as connection:
        until = connection.execute(select(_TABLE.c.locked_until).where(_TABLE.c.name_key == key)).scalar()
    return until if until is not None and until > now else None


def _live(now: float, window: float):
    """Rows still counting: inside their window, or locked."""
    return or_(_TABLE.c.first_failed_at > now - window, _TABLE.c.locked_until > now)


def _unlocked(now: float):
    return or_(_TABLE.c.locked_until.is_(None), _TABLE.c.locked_until <= now)


def _prune(connection: Connection, key: str, now: float, window: float, max_rows: int) -> None:
    """Drop expired rows; then, at the cap, the oldest unlocked rows, then the locks ending soonest."""
    connection.execute(delete(_TABLE).where(_TABLE.c.first_failed_at <= now - window, _unlocked(now)))
    count = connection.execute(select(func.count()).select_from(_TABLE)).scalar() or 0
    excess = count - max_rows + 1  # room for one more row
    for condition, order in ((_unlocked(now), _TABLE.c.first_failed_at), (true(), _TABLE.c.locked_until)):
        if excess <= 0:
            return
        victims = select(_TABLE.c.name_key).where(condition, _TABLE.c.name_key != key).order_by(order).limit(excess)
        excess -= connection.execute(delete(_TABLE).where(_TABLE.c.name_key.in_(victims.scalar_subquery()))).rowcount


def _count(connection: Connection, key: str, now: float, max_failures: int, window: float) -> None:
    """One more failure for `key`: added to its live row, or a new row (replacing an expired one)."""
    failures = _TABLE.c.failures + 1
    lock = case((and_(_TABLE.c.locked_until.is_(None), failures >= max_failures), now + window),
                else_=_TABLE.c.locked_until)
    bumped = connection.execute(update(_TABLE).where(_TABLE.c.name_key == key, _live(now, window))
                                .values(failures=failures, locked_until=lock))
    if bumped.rowcount:
        return
    connection.execute(delete(_TABLE).where(_TABLE.c.name_key == key))
    connection.execute(insert(_TABLE).values(name_key=key, failures=1, first_failed_at=now,
                                             locked_until=now + window if max_failures <= 1 else None))


def record_failure(engine: Engine, key: str, now: float, max_failures: int, window: float,
                   max_rows: int = MAX_ROWS) -> None:
    """Count one failed sign-in for `key`, in one transaction (pruning the table as it goes)."""
    ensure_table(engine)
    for attempt in range(2):  # a second process may insert the same new key at the same moment
        try:
            with engine.begin() as connection:
                _prune(connection, key, now, window, max_rows)
                _count(connection, key, now, max_failures, window)
            return
        except IntegrityError:
            if attempt:
                raise


def clear(engine: Engine, key: str) -> None:
    """Forget `key`'s failures (after a successful sign-in)."""
    if _has_table(engine):
        with engine.begin() as connection:
            connection.execute(delete(_TABLE).where(_TABLE.c.name_key == key))


def row_count(engine: Engine) -> int:
    """How many rows the table holds (0 when it does not exist yet)."""
    if not _has_table(engine):
        return 0
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(_TABLE)).scalar() or 0
