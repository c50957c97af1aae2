"""Who may change data: viewers cannot reach or call any write path."""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path

import pytest

from hxcore.db.schema import make_engine
from hxcore.io import auth, importer

ROOT = Path(__file__).resolve().parent.parent


def test_add_user_sign_in_and_lockout(tmp_path, fresh_engine):
    path = tmp_path / "secrets.toml"
    path.write_text('[connections.hx]\nurl = "sqlite:///x"\n', encoding="utf-8")
    auth.add_user("Lan", "mat-khau-dai-1", path=path, rounds=4)
    auth.add_user("lan", "mat-khau-dai-2", path=path, rounds=4)  # replaces, never duplicates
    text = path.read_text(encoding="utf-8")
    assert text.count("[hx_users.lan]") == 1 and "[connections.hx]" in text and "mat-khau" not in text
    users = auth.load_users(path)
    limiter = auth.AttemptLimiter(fresh_engine, max_failures=3, window=60)  # counted in the database (test_signin.py)
    session = auth.sign_in("lan", "mat-khau-dai-2", users, limiter)
    assert session.role == auth.Role.EDITOR and auth.require_editor(session) is session
    for _ in range(3):
        with pytest.raises(auth.SignInError):
            auth.sign_in("lan", "wrong-password", users, limiter)
    with pytest.raises(auth.SignInError, match="quá"):
        auth.sign_in("lan", "mat-khau-dai-2", users, limiter)  # locked even with the right password
    assert not limiter.locked("lan", now=time.time() + 61)
    with pytest.raises(ValueError):
        auth.add_user("lan", "short", path=path)


def test_sessions_expire_and_cannot_be_forged():
    session = auth._issue("lan", auth.Role.EDITOR, now=time.time() - auth.SESSION_IDLE_SECONDS - 1)
    with pytest.raises(auth.PermissionDenied):
        auth.require_editor(session)
    with pytest.raises(auth.PermissionDenied):
        session.touch()
    forged = auth.Session("lan", auth.Role.EDITOR, time.time(), time.time(), "0" * 64)
    with pytest.raises(auth.PermissionDenied):
        auth.require_editor(forged)
    promoted = dataclasses.replace(auth._issue("v", auth.Role.VIEWER), role=auth.Role.EDITOR)
    with pytest.raises(auth.PermissionDenied):
        auth.require_editor(promoted)


@pytest.mark.parametrize("session", [None, auth.VIEWER, "editor"])
def test_viewer_cannot_call_hxcore_write_paths(tmp_path, demo_db_path, session):
    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    engine = make_engine(f"sqlite:///{path}")
    before = importer.database_fingerprint(engine)
    data = "Tên HTX,Huyện/thành phố,Xã/phường/thị trấn,Lĩnh vực,Ngày đăng ký\r\nHTX A,Tam Đường,Bình Lư,Nông nghiệp,1/2/2023\r\n"
    with pytest.raises(auth.PermissionDenied):
        importer.commit_import(engine, data.encode(), "a.csv", "2023-H1", session)
    with pytest.raises(auth.PermissionDenied):
        importer.undo_import(engine, 1, session)
    assert importer.database_fingerprint(engine) == before
    assert not (tmp_path / "backups").exists()


def test_viewer_page_shows_no_upload(tmp_path, demo_db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    monkeypatch.setenv("HX_DATABASE_URL", f"sqlite:///{path}")
    at = AppTest.from_file(str(ROOT / "pages" / "nhap_du_lieu.py"), default_timeout=30).run()
    assert not at.exception
    assert any("biên tập viên" in w.value for w in at.warning)
    assert len(at.get("file_uploader")) == 0 and len(at.button) == 0


def test_editor_page_offers_upload(tmp_path, demo_db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    path = tmp_path / "hx.sqlite"
    shutil.copy(demo_db_path, path)
    monkeypatch.setenv("HX_DATABASE_URL", f"sqlite:///{path}")
    at = AppTest.from_file(str(ROOT / "pages" / "nhap_du_lieu.py"), default_timeout=30)
    at.session_state["hx_session"] = auth._issue("lan", auth.Role.EDITOR)
    at.run()
    assert not at.exception
    assert len(at.get("file_uploader")) == 1


def test_checks_page_lists_the_report_violations(tmp_path, demo_db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HX_DATABASE_URL", f"sqlite:///{demo_db_path}")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/kiem_tra.py").run()
    assert not at.exception
    assert any("10 vi phạm" in w.value for w in at.warning)
    shown = at.dataframe[-1].value
    assert "None" not in shown.astype(str).to_numpy()  # blanks, not Python's None
    assert "Vốn điều lệ HTX" in set(shown["Chỉ tiêu"])  # labels, not codes
    assert "−3.240" in set(shown["Chênh lệch"])  # Vietnamese number format
