"""Shared fixtures: one demo database per test session, and fresh empty ones on demand."""

from __future__ import annotations

import gzip
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hxcore.db.schema import create_schema, make_engine  # noqa: E402
from hxcore.io.demo import build_demo  # noqa: E402
from hxcore.io.national import build_national  # noqa: E402


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "hx.sqlite"
    build_demo(make_engine(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def engine(demo_db_path):
    """The demo database, read-only by convention: tests that write use `fresh_engine`."""
    return make_engine(f"sqlite:///{demo_db_path}")


POSTGRES_URL = os.environ.get("HX_TEST_POSTGRES_URL")  # set by .ci/run (scripts/start-postgres.sh)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db(request, engine):
    """The demo database on each backend hx supports: database tests run on both.

    PostgreSQL is skipped only where no server is configured (HX_TEST_POSTGRES_URL unset);
    CI starts one.
    """
    if request.param == "sqlite":
        return engine
    if not POSTGRES_URL:
        pytest.skip("HX_TEST_POSTGRES_URL is not set: no PostgreSQL server to test on")
    postgres = make_engine(POSTGRES_URL)
    build_demo(postgres, force=True)  # the test database is disposable, even after an import test wrote to it
    return postgres


@pytest.fixture(scope="session")
def national(tmp_path_factory):
    """A small national database (63 provinces, 2.500 HTX, 5.000 THT; Lai Châu is the demo
    unchanged), built once (~15 s) and read-only by convention, like `engine`."""
    path = tmp_path_factory.mktemp("national") / "hx.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    build_national(engine, coops=2_500, groups=5_000, progress=lambda _m: None)
    return engine


@pytest.fixture
def fresh_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    create_schema(engine)
    return engine


@contextmanager
def private_postgres_schema(prefix: str, demo: bool = True, **engine_options):
    """(engine, schema name): a PostgreSQL schema of this test process's own holding the demo (or
    nothing, `demo=False`), dropped afterwards; skips when no server is configured."""
    if not POSTGRES_URL:
        pytest.skip("HX_TEST_POSTGRES_URL is not set: no PostgreSQL server to test on")
    name = f"{prefix}_{os.getpid()}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    engine = create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={name}"}, **engine_options)
    if demo:
        build_demo(engine)
    try:
        yield engine, name
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        admin.dispose()


@pytest.fixture
def demo_copy(tmp_path, demo_db_path):
    """A copy of the demo database of this test's own: for tests that import into it."""
    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    return make_engine(f"sqlite:///{path}")


# The Lai Châu demo database as the release of commit dba3f14 made it (before the reform columns),
# byte for byte: what an office that upgrades hx has on its disk.
OLD_LAI_CHAU = Path(__file__).resolve().parent / "data" / "hx-old-laichau-dba3f14.sqlite.gz"


def old_copy(folder: Path) -> Path:
    """A copy of that older database in `folder`, as hx.sqlite."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hx.sqlite"
    path.write_bytes(gzip.decompress(OLD_LAI_CHAU.read_bytes()))
    return path
