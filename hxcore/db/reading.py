"""Reads that see one state of the database, even while an import commits.

A figure is read in several statements (the summary stamp, the summary tables, the raw tables, the
comparison period). On their own, each statement sees the last commit at the moment it runs, so
an import committing between two of them would mix its before and its after. `one_state(engine)`
holds one read transaction for the current thread of work (SQLite: a deferred BEGIN, whose
snapshot WAL keeps while writes go on; PostgreSQL: REPEATABLE READ, READ ONLY), and `connect(engine)`
hands that connection to every read inside it, or a connection of its own outside one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from sqlalchemy import Connection, Engine

P = ParamSpec("P")
R = TypeVar("R")
_HELD: ContextVar[tuple[Engine, Connection] | None] = ContextVar("hx_one_state", default=None)


@contextmanager
def one_state(engine: Engine) -> Iterator[Connection]:
    """Every read through `connect(engine)` inside this block sees the same committed state."""
    held = _HELD.get()
    if held is not None and held[0] is engine:  # already inside one: the outer block's state
        yield held[1]
        return
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN")  # pysqlite starts no transaction for a SELECT by itself
            token = _HELD.set((engine, connection))
            try:
                yield connection
            finally:
                _HELD.reset(token)


@contextmanager
def connect(engine: Engine) -> Iterator[Connection]:
    """The connection of the enclosing `one_state(engine)`, else a new one for this block."""
    held = _HELD.get()
    if held is not None and held[0] is engine:
        yield held[1]
        return
    with engine.connect() as connection:
        yield connection


def in_one_state(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function whose first argument is the engine: all its reads see one state."""
    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with one_state(args[0]):  # type: ignore[arg-type]
            return function(*args, **kwargs)
    return wrapper
