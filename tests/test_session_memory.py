"""What a session keeps of its own: the sidebar's district and commune names are shared by every
session (hxapp/data.py, st.cache_resource), not a private copy in each session's View and widgets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from hxapp.view import VIEW_KEY

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module", autouse=True)
def demo_database(demo_db_path):
    previous = os.environ.get("HX_DATABASE_URL")
    os.environ["HX_DATABASE_URL"] = f"sqlite:///{demo_db_path}"
    yield
    if previous is None:
        os.environ.pop("HX_DATABASE_URL", None)
    else:
        os.environ["HX_DATABASE_URL"] = previous


def test_two_sessions_share_the_area_names_of_their_views():
    first, second = (AppTest.from_file(APP, default_timeout=60).run() for _ in range(2))
    assert not first.exception and not second.exception
    names = first.session_state[VIEW_KEY].district_names, second.session_state[VIEW_KEY].district_names
    assert names[0] == names[1] and len(names[0]) > 10
    # The same objects, not equal copies: a session holds a dict of references, not ~11.800 strings of its own.
    assert all(names[0][code] is names[1][code] for code in names[0])
    rerun = first.run().session_state[VIEW_KEY].district_names
    assert all(rerun[code] is names[0][code] for code in names[0])
