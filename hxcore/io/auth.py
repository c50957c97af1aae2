"""Who may change data: editors (bcrypt hashes in .streamlit/secrets.toml), sign-in limits, sessions.

Viewers need no account and can only read. Every write function in hxcore takes a `Session`
and calls `require_editor` itself, so a page that forgot to hide a button still cannot write.
Sessions are signed with a key held by this process only: a session cannot be forged by
building the dataclass by hand, and none survives a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import time
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import bcrypt

from hxcore.db.schema import PROJECT_DIR

SECRETS_PATH_VARIABLE = "HX_SECRETS_PATH"
DEFAULT_SECRETS_PATH = PROJECT_DIR / ".streamlit" / "secrets.toml"
USERS_SECTION = "hx_users"

MAX_FAILURES = 5  # failed sign-ins per user name ...
LOCKOUT_SECONDS = 15 * 60  # ... within this window lock the name for the rest of it
SESSION_IDLE_SECONDS = 30 * 60
SESSION_MAX_SECONDS = 8 * 3600
MIN_PASSWORD_LENGTH = 10
_USER_NAME = re.compile(r"^[a-z0-9_.-]{2,40}$")


class Role(StrEnum):
    # Stored in secrets.toml: never rename.
    VIEWER = "viewer"
    EDITOR = "editor"


class PermissionDenied(PermissionError):
    """The caller's role does not allow this write."""


class SignInError(ValueError):
    """Wrong name or password, or too many attempts: the message is safe to show."""


_PROCESS_KEY = secrets.token_bytes(32)


@dataclass(frozen=True)
class Session:
    user: str
    role: Role
    issued_at: float
    last_seen: float
    signature: str = field(repr=False, default="")

    def _payload(self) -> bytes:
        return f"{self.user}|{self.role.value}|{self.issued_at:.6f}".encode()

    @property
    def valid_signature(self) -> bool:
        expected = hmac.new(_PROCESS_KEY, self._payload(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.signature)

    def expired(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return now - self.issued_at > SESSION_MAX_SECONDS or now - self.last_seen > SESSION_IDLE_SECONDS

    def touch(self, now: float | None = None) -> Session:
        """The same session seen again now (idle expiry restarts); raises once it has expired."""
        if self.expired(now):
            raise PermissionDenied("Phiên làm việc đã hết hạn, hãy đăng nhập lại.")
        return Session(self.user, self.role, self.issued_at, time.time() if now is None else now, self.signature)


def _issue(user: str, role: Role, now: float | None = None) -> Session:
    now = time.time() if now is None else now
    unsigned = Session(user, role, now, now)
    signature = hmac.new(_PROCESS_KEY, unsigned._payload(), hashlib.sha256).hexdigest()
    return Session(user, role, now, now, signature)


VIEWER = Session("viewer", Role.VIEWER, 0.0, 0.0)


def require_editor(session: Session | None) -> Session:
    """The session if it may write; PermissionDenied for viewers, forged or expired sessions."""
    if session is None or not isinstance(session, Session) or session.role != Role.EDITOR:
        raise PermissionDenied("Chỉ biên tập viên đã đăng nhập mới được thay đổi dữ liệu.")
    if not session.valid_signature:
        raise PermissionDenied("Phiên đăng nhập không hợp lệ.")
    if session.expired():
        raise PermissionDenied("Phiên làm việc đã hết hạn, hãy đăng nhập lại.")
    return session


# --- users --------------------------------------------------------------------------------------

def secrets_path() -> Path:
    return Path(os.environ.get(SECRETS_PATH_VARIABLE) or DEFAULT_SECRETS_PATH)


def load_users(path: Path | None = None) -> dict[str, dict]:
    """{name: {"hash": ..., "role": ..., "full_name": ...}} from the [hx_users.*] tables."""
    path = path or secrets_path()
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return {name: dict(row) for name, row in data.get(USERS_SECTION, {}).items()}


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def add_user(name: str, password: str, role: Role | str = Role.EDITOR, full_name: str = "",
             path: Path | None = None, rounds: int = 12) -> Path:
    """Add or replace one user's block in secrets.toml, leaving the rest of the file as it was."""
    path = path or secrets_path()
    name = name.strip().lower()
    if not _USER_NAME.match(name):
        raise ValueError("Tên đăng nhập chỉ gồm chữ thường không dấu, số, '.', '_' hoặc '-', 2–40 ký tự.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    role = Role(role)
    digest = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    header = f"[{USERS_SECTION}.{name}]"
    lines, out, skipping = text.splitlines(), [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            skipping = stripped == header
        if not skipping:
            out.append(line)
    block = [header, f"hash = {_toml_string(digest)}", f"role = {_toml_string(role.value)}",
             f"full_name = {_toml_string(full_name)}"]
    body = "\n".join(out).rstrip()
    text = (body + "\n\n" if body else "") + "\n".join(block) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if os.name == "posix":
        path.chmod(0o600)
    tomllib.loads(text)  # never leave a file Streamlit cannot read
    return path


# --- sign-in with attempt limiting --------------------------------------------------------------

class AttemptLimiter:
    """Failed sign-ins per user name in a sliding window; shared by all sessions of the process."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = LOCKOUT_SECONDS):
        self.max_failures, self.window = max_failures, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(name, []) if now - t < self.window]
        self._failures[name] = kept
        return kept

    def locked(self, name: str, now: float | None = None) -> bool:
        with self._lock:
            return len(self._recent(name, time.time() if now is None else now)) >= self.max_failures

    def fail(self, name: str, now: float | None = None) -> None:
        with self._lock:
            now = time.time() if now is None else now
            self._recent(name, now).append(now)

    def reset(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


LIMITER = AttemptLimiter()
# Checked against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(rounds=4))


def sign_in(name: str, password: str, users: dict[str, dict] | None = None,
            limiter: AttemptLimiter | None = None, now: float | None = None) -> Session:
    """A signed editor session, or SignInError (one message for wrong name and wrong password)."""
    limiter = limiter or LIMITER
    users = load_users() if users is None else users
    name = (name or "").strip().lower()
    if limiter.locked(name, now):
        raise SignInError(f"Đăng nhập sai quá {limiter.max_failures} lần: hãy thử lại sau "
                          f"{int(limiter.window // 60)} phút.")
    user = users.get(name)
    stored = user["hash"].encode() if user and user.get("hash") else _DUMMY_HASH
    ok = bcrypt.checkpw((password or "").encode(), stored) and user is not None
    if not ok:
        limiter.fail(name, now)
        raise SignInError("Sai tên đăng nhập hoặc mật khẩu.")
    limiter.reset(name)
    return _issue(name, Role(user.get("role", Role.EDITOR.value)), now)
