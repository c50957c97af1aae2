"""Who may change data: editors (bcrypt hashes in .streamlit/secrets.toml), sign-in limits, sessions.

Viewers need no account and can only read. Every write function in hxcore takes a `Session`
and calls `require_editor` itself, so a page that forgot to hide a button still cannot write.
Sessions are signed with a key held by this process only: a session cannot be forged by
building the dataclass by hand, and none survives a restart. Failed sign-ins, by contrast, are
counted in the database (hxcore.db.attempts): a lockout survives a restart and binds the app and
the CLI alike. An unknown name is checked against a dummy hash of the configured hashes' cost, so
it takes as long as a known name with a wrong password.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import secrets
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import bcrypt
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from hxcore.db import attempts
from hxcore.db.schema import PROJECT_DIR, make_engine

SECRETS_PATH_VARIABLE = "HX_SECRETS_PATH"
DEFAULT_SECRETS_PATH = PROJECT_DIR / ".streamlit" / "secrets.toml"
USERS_SECTION = "hx_users"

MAX_FAILURES = 5  # failed sign-ins per user name within ...
LOCKOUT_SECONDS = 15 * 60  # ... this window lock the name for as long again
SESSION_IDLE_SECONDS = 30 * 60
SESSION_MAX_SECONDS = 8 * 3600
MIN_PASSWORD_LENGTH = 10
DEFAULT_ROUNDS = 12  # bcrypt cost of add-user's hashes
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
             path: Path | None = None, rounds: int = DEFAULT_ROUNDS) -> Path:
    """Add or replace one user's block in secrets.toml, leaving the rest of the file as it was."""
    path = path or secrets_path()
    name = name.strip().lower()
    if not _USER_NAME.match(name):
        raise ValueError("Tên đăng nhập chỉ gồm chữ thường không dấu, số, '.', '_' hoặc '-', 2–40 ký tự.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(f"Mật khẩu dài quá {MAX_PASSWORD_BYTES} byte (bcrypt không đọc phần sau).")
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
    """Failed sign-ins per user name, counted in the database (hxcore.db.attempts): a lockout
    survives a restart and the app and the CLI share it. `max_failures` failures within `window`
    seconds of the first one lock the name for `window` seconds."""

    def __init__(self, engine: Engine, max_failures: int = MAX_FAILURES, window: float = LOCKOUT_SECONDS,
                 max_rows: int = attempts.MAX_ROWS):
        self.engine, self.max_failures, self.window, self.max_rows = engine, max_failures, window, max_rows

    def locked(self, name: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return attempts.locked_until(self.engine, attempts.name_key(name), now) is not None

    def fail(self, name: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        attempts.record_failure(self.engine, attempts.name_key(name), now, self.max_failures, self.window,
                                self.max_rows)

    def reset(self, name: str) -> None:
        attempts.clear(self.engine, attempts.name_key(name))


_BCRYPT = re.compile(r"^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$")
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further (and bcrypt 5 refuses longer passwords)


def _cost(digest: str) -> int | None:
    match = _BCRYPT.match(digest or "")
    return int(match.group(1)) if match else None


def usual_cost(users: dict[str, dict]) -> int:
    """The bcrypt cost most users' hashes have (the highest of equals): what an unknown name is checked at."""
    costs = Counter(c for c in (_cost(str(u.get("hash", ""))) for u in users.values()) if c is not None)
    if not costs:
        return DEFAULT_ROUNDS
    return max(costs.items(), key=lambda item: (item[1], item[0]))[0]


@functools.lru_cache(maxsize=4)
def dummy_hash(rounds: int) -> bytes:
    """A hash no password matches, of the given cost: checked when the name is unknown, so a wrong
    name costs as long as a wrong password."""
    return bcrypt.hashpw(secrets.token_bytes(16).hex().encode(), bcrypt.gensalt(rounds=min(max(rounds, 4), 31)))


def _stored_hash(user: dict | None, dummy: bytes) -> bytes:
    digest = str(user.get("hash", "")) if user else ""
    return digest.encode() if _cost(digest) is not None else dummy


def _password_matches(password: str, stored: bytes, dummy: bytes) -> bool:
    """bcrypt's verdict, always computed at the same cost (the dummy hash never matches)."""
    candidate = (password or "").encode("utf-8", "surrogatepass")
    try:
        matches = bcrypt.checkpw(candidate[:MAX_PASSWORD_BYTES], stored)
    except ValueError:  # a damaged hash in secrets.toml: nobody signs in with it
        return False
    return matches and stored is not dummy and len(candidate) <= MAX_PASSWORD_BYTES


def sign_in(name: str, password: str, users: dict[str, dict] | None = None,
            limiter: AttemptLimiter | None = None, now: float | None = None, *,
            engine: Engine | None = None) -> Session:
    """A signed editor session, or SignInError (one message for wrong name and wrong password).

    Attempts are counted in `limiter`'s database, by default `engine`'s (else HX_DATABASE_URL's):
    known and unknown names are counted, locked and timed alike, so neither reveals which names exist.
    """
    limiter = limiter or AttemptLimiter(engine if engine is not None else make_engine())
    users = load_users() if users is None else users
    name = (name or "").strip().lower()
    try:
        if limiter.locked(name, now):
            raise SignInError(f"Đăng nhập sai quá {limiter.max_failures} lần: hãy thử lại sau "
                              f"{int(limiter.window // 60)} phút.")
        user = users.get(name)
        dummy = dummy_hash(usual_cost(users))  # made once per cost, whatever the name
        if not _password_matches(password, _stored_hash(user, dummy), dummy):
            limiter.fail(name, now)
            raise SignInError("Sai tên đăng nhập hoặc mật khẩu.")
        limiter.reset(name)
    except SQLAlchemyError as error:  # attempts cannot be counted: nobody signs in uncounted
        raise SignInError("Không đăng nhập được: cơ sở dữ liệu không ghi được số lần đăng nhập sai "
                          f"({type(error).__name__}).") from error
    return _issue(name, Role(user.get("role", Role.EDITOR.value)), now)
