"""Classroom rooms: an instructor runs an exercise for students who each play a state.

Everything lives in one SQLite file (standard library ``sqlite3``, WAL mode, busy
timeouts), so several dashboard sessions, threads or processes can share it, and a
restarted server loses nothing: a room stores only its record (exercise, members, seed,
the choices of each turn, the injects released and when) and the game is recomputed from
it, bit for bit (:meth:`sim.game.Game.replay`).

API (for the dashboard's classroom pages)::

    from sim.game.classroom import Classroom
    room = Classroom("classroom.sqlite3")  # default: $PENINSULA_DB, else ~/.peninsula/classroom.sqlite3
    code, instructor = room.open_room("pyongyang_bargain", members=200, seed=42, seats_per_role=3)
    room.lobby(code)                       # Lobby: public facts for a join page (title, roles, who sits where)
    ana = room.join(code, "DPRK", "Ana")   # a seat token: keep it (a reloaded browser rejoins with it)
    ben = room.join(code, "CHN", "Ben")    # several seats on one role make a team (first choice counts);
                                           #   a role whose seats are all taken refuses a newcomer (RoleFull)
    room.view(ana)                         # SeatView: own briefing and moves (which are possible now),
                                           #   the world and the role's posture, whether moved
    room.choose(ana, turn=0, option="export_more")  # a move impossible in every world is refused (GameError)
    room.choose(ben, turn=0, option="more_aid")     # every seated role has chosen: the turn resolves
    room.view(instructor)                  # InstructorView: seats, who has moved, injects, every role's view
    room.release(instructor, "ceasefire_talks")   # takes effect at the start of the current turn
    room.advance(instructor, turn=1)       # resolve now: roles that did not choose play by the model's rule
    room.pause(instructor); room.resume(instructor)
    room.end(instructor)                   # into the debrief, for everyone
    room.debrief(ana)                      # sim.game.Debrief of Ana's role (every seated role for the instructor);
                                           #   .to_html(), .write(dir); a seat's copy holds no other role's briefing
    room.stored_results(instructor)        # the debrief summaries stored in the database
    room.record(instructor)                # sim.game.GameRecord: Game.replay(record) rebuilds the game

Turn numbers in requests are turn indices (0 for the first turn, as ``SeatView.turn``): a
request names the turn it is meant for, so a replayed or late request is refused and
changes nothing (:class:`StaleRequest`). Tokens are ``secrets.token_urlsafe`` strings,
stored only as SHA-256 hashes and compared with ``hmac.compare_digest``. A seat acts only
for its own role, sees only its own role's private briefing, and cannot advance turns or
release injects (:class:`AccessDenied`). A choice is final for the turn: the table's
UNIQUE (room, role, turn) keeps exactly one when two arrive at once.

Seats: a room has ``seats_per_role`` seats on each role (fixed when it opens; default
:data:`SEATS_PER_ROLE`, 1 to :data:`MAX_SEATS_PER_ROLE`); the students on one role are a team,
and the first choice of a turn counts for the role. A newcomer cannot take a seat that is
held: once a role's seats are taken it refuses (:class:`RoleFull`, naming the role). A turn
resolves when every role with a seat has chosen, or when the instructor advances it.

The file: created with mode 0600, and any folder made for it 0700 (SQLite gives its -wal
and -shm files the database's mode); an existing file or folder is left as it is. The wait
for another writer is ``timeout`` seconds (default ``$PENINSULA_DB_TIMEOUT``, else 30). A file
that is not a classroom database (another program's, damaged, of another schema) or is
locked is a :class:`~sim.errors.PeninsulaError` (:class:`DatabaseUnavailable` once open),
never a raw ``sqlite3`` error. Schema 1 databases (before seats per role) are upgraded in place:
their rooms get :data:`SEATS_PER_ROLE` seats per role.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
import contextlib
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple, Self

from sim.errors import PeninsulaError
from sim.game.exercise import Exercise, load_exercise
from sim.game.game import (Debrief, Game, GameError, GameRecord, OptionInfo, TurnView, always_possible, instructor_inject,
                           option_name)
from sim.indicators import ACTOR_NAMES

DB_ENV = "PENINSULA_DB"
TIMEOUT_ENV = "PENINSULA_DB_TIMEOUT"
DEFAULT_DB = Path.home() / ".peninsula" / "classroom.sqlite3"
DEFAULT_TIMEOUT = 30.0
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_NAME = 60
SEATS_PER_ROLE = 3
"""Seats on each role of a room unless :meth:`Classroom.open_room` says otherwise (a team of up to three)."""
MAX_SEATS_PER_ROLE = 30
SCHEMA_VERSION = 2
"""1: the first rooms; 2: ``rooms.seats_per_role``."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rooms (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    exercise TEXT NOT NULL,
    title TEXT NOT NULL,
    members INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    advisor INTEGER NOT NULL,
    instructor_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('open', 'paused', 'ended')),
    turn INTEGER NOT NULL DEFAULT 0,
    turns INTEGER NOT NULL,
    seats_per_role INTEGER NOT NULL DEFAULT 3
);
CREATE TABLE IF NOT EXISTS seats (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms(id),
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS seats_room ON seats(room_id);
CREATE TABLE IF NOT EXISTS choices (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms(id),
    role TEXT NOT NULL,
    turn INTEGER NOT NULL,
    option TEXT NOT NULL,
    seat_id INTEGER NOT NULL REFERENCES seats(id),
    UNIQUE (room_id, role, turn)
);
CREATE TABLE IF NOT EXISTS releases (
    id INTEGER PRIMARY KEY,
    room_id INTEGER NOT NULL REFERENCES rooms(id),
    inject_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    UNIQUE (room_id, inject_id)
);
CREATE TABLE IF NOT EXISTS results (
    room_id INTEGER NOT NULL REFERENCES rooms(id),
    role TEXT NOT NULL,
    turns_played INTEGER NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (room_id, role)
);
"""


class AccessDenied(PeninsulaError):
    """The token does not allow this request (unknown token, another role, not the instructor)."""


class StaleRequest(PeninsulaError):
    """A request for a turn that is not the current one, or one already answered; nothing changed."""


class WrongState(PeninsulaError):
    """The room cannot do this now (paused, ended, no debrief yet); nothing changed."""


class RoleFull(PeninsulaError):
    """Every seat of the role is taken: a newcomer cannot take one; nothing changed."""


class DatabaseUnavailable(PeninsulaError):
    """The database cannot be used now: locked by another program too long, damaged, or not a classroom's."""

    def __init__(self, reason: str) -> None:
        """``reason`` completes "the classroom database ..." (e.g. "is locked by another program")."""
        super().__init__(f"the classroom database {reason}")
        self.reason = reason


class RoomKeys(NamedTuple):
    """What :meth:`Classroom.open_room` returns: the public join code and the instructor's secret token."""

    code: str
    instructor_token: str


@dataclass(frozen=True)
class Ack:
    """A request that was applied: the turn it applied to, and whether that turn resolved."""

    turn: int
    option: str | None
    resolved: bool
    status: str


@dataclass(frozen=True)
class Lobby:
    """Public facts about a room, for a join page (no briefings, no tokens)."""

    code: str
    title: str
    description: str
    situation: str
    roles: dict[str, tuple[str, ...]]
    status: str
    turn: int
    turns: int
    seats_per_role: int = SEATS_PER_ROLE


@dataclass(frozen=True)
class InjectStatus:
    """An inject as the instructor sees it."""

    id: str
    label: str
    month: str | None
    release: str | None
    released_turn: int | None


@dataclass(frozen=True)
class SeatView:
    """What a student's seat sees: only its own role's private briefing."""

    code: str
    title: str
    role: str
    role_title: str
    name: str
    teammates: tuple[str, ...]
    status: str
    turn: int
    turns: int
    months: str
    situation: str
    briefing: str
    options: tuple[OptionInfo, ...]
    chosen: str | None
    world: TurnView
    debrief_ready: bool


@dataclass(frozen=True)
class InstructorView:
    """What the instructor sees: seats, who has moved this turn, injects, every role's view."""

    code: str
    title: str
    status: str
    turn: int
    turns: int
    months: str
    seats: tuple[tuple[str, str], ...]
    moved: dict[str, str | None]
    waiting: tuple[str, ...]
    untaken: tuple[str, ...]
    injects: tuple[InjectStatus, ...]
    situation: str
    briefings: dict[str, str]
    views: dict[str, TurnView]
    debrief_ready: bool
    seats_per_role: int = SEATS_PER_ROLE


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _timeout_default() -> float:
    """``$PENINSULA_DB_TIMEOUT`` seconds if it is a positive number, else :data:`DEFAULT_TIMEOUT`."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, ""))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if 0 < value < 3600 else DEFAULT_TIMEOUT


def _sqlite_problem(exc: sqlite3.Error, timeout: float) -> DatabaseUnavailable:
    """What an sqlite3 error means: the file is locked (someone else holds it), or the file itself is wrong."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return DatabaseUnavailable(f"is locked by another program (waited {timeout:g} s); try again in a moment")
    return DatabaseUnavailable(f"cannot be used ({text})")


class Classroom:
    """Rooms in one SQLite file.

    Args:
        db_path: the database file (created if missing, mode 0600); default ``$PENINSULA_DB``, else
            ``~/.peninsula/classroom.sqlite3``.
        timeout: seconds to wait for another writer before giving up; default
            ``$PENINSULA_DB_TIMEOUT``, else 30.

    Thread-safe: each call uses its own connection; the recomputed games are cached per
    room behind a lock. Several processes may share the file.

    Raises:
        PeninsulaError: the file cannot be opened or created, is locked, is not a classroom
            database, or has a schema this version does not read.
    """

    def __init__(self, db_path: str | Path | None = None, *, timeout: float | None = None) -> None:
        """Open the database (creating it and its tables if missing) and check its schema version."""
        self.path = Path(db_path or os.environ.get(DB_ENV) or DEFAULT_DB).expanduser()
        if self.path.is_dir():
            raise PeninsulaError("is a folder; expected the classroom database file", file=str(self.path))
        self.timeout = _timeout_default() if timeout is None else float(timeout)
        self._games: dict[int, Game] = {}
        self._exercises: dict[int, Exercise] = {}
        self._room_locks: dict[int, threading.Lock] = {}
        self._lock = threading.Lock()
        try:
            self._create_file()
            with self._tx() as conn:
                self._prepare(conn)
        except DatabaseUnavailable as exc:
            raise PeninsulaError(f"cannot open the classroom database: it {exc.reason}", file=str(self.path)) from None
        except PeninsulaError:
            raise
        except OSError as exc:
            raise PeninsulaError(f"cannot open the classroom database ({exc})", file=str(self.path)) from None

    def _create_file(self) -> None:
        """Make the missing folders (0700) and the file (0600), before SQLite opens it."""
        missing = []
        folder = self.path.parent
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            try:
                folder.mkdir(mode=0o700)
            except FileExistsError:
                continue
            os.chmod(folder, 0o700)  # whatever the umask
        if not self.path.exists():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return
            os.close(fd)
            os.chmod(self.path, 0o600)

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Check that the file is a classroom database of a schema this reads; create or upgrade its tables."""
        tables = {r["name"] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() if "meta" in tables else None
        if row is None and tables:
            raise PeninsulaError("not a Peninsula classroom database (it holds other tables: "
                                 f"{', '.join(sorted(tables)[:5])}); set {DB_ENV} to another file",
                                 file=str(self.path))
        version = SCHEMA_VERSION
        if row is not None:
            try:
                version = int(row["value"])
            except (TypeError, ValueError):
                raise PeninsulaError(f"the classroom database's schema mark is damaged ({row['value']!r})",
                                     file=str(self.path)) from None
            if version > SCHEMA_VERSION or version < 1:
                raise PeninsulaError(f"the classroom database has schema {version}; this Peninsula reads "
                                     f"schema {SCHEMA_VERSION} and older", file=str(self.path))
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        if version < 2:  # schema 1: rooms without seats_per_role
            columns = {r["name"] for r in conn.execute("PRAGMA table_info(rooms)")}
            if "seats_per_role" not in columns:
                conn.execute(f"ALTER TABLE rooms ADD COLUMN seats_per_role INTEGER NOT NULL DEFAULT {SEATS_PER_ROLE}")
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))

    def close(self) -> None:
        """Forget the recomputed games (the database keeps everything)."""
        with self._lock:
            self._games.clear()
            self._exercises.clear()
            self._room_locks.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- database ---------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), timeout=self.timeout, isolation_level=None, check_same_thread=False)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction on its own connection (BEGIN IMMEDIATE for writes: one writer at a time).

        An ``sqlite3`` error (locked too long, a damaged or foreign file) becomes :class:`DatabaseUnavailable`.
        """
        try:
            conn = self._connect()
        except sqlite3.Error as exc:
            raise _sqlite_problem(exc, self.timeout) from None
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # the error being raised says what went wrong
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise _sqlite_problem(exc, self.timeout) from None
            raise
        finally:
            conn.close()

    # -- identities -----------------------------------------------------------------------------------
    @staticmethod
    def _token_hash(token) -> str:
        if not isinstance(token, str) or not token or len(token) > 256:
            raise AccessDenied("no valid token was given")
        return _hash(token)

    def _identify(self, conn, token) -> tuple[sqlite3.Row | None, sqlite3.Row]:
        """(seat or None for the instructor, room) for a token; AccessDenied otherwise."""
        h = self._token_hash(token)
        seat = conn.execute("SELECT * FROM seats WHERE token_hash = ?", (h,)).fetchone()
        if seat is not None and hmac.compare_digest(seat["token_hash"], h):
            room = conn.execute("SELECT * FROM rooms WHERE id = ?", (seat["room_id"],)).fetchone()
            return seat, room
        room = conn.execute("SELECT * FROM rooms WHERE instructor_hash = ?", (h,)).fetchone()
        if room is not None and hmac.compare_digest(room["instructor_hash"], h):
            return None, room
        raise AccessDenied("this token opens no seat and no room here (join again with the room's code)")

    def _instructor(self, conn, token, action: str) -> sqlite3.Row:
        seat, room = self._identify(conn, token)
        if seat is not None:
            raise AccessDenied(f"only the instructor can {action}; this is a student's seat token")
        return room

    def _exercise(self, room) -> Exercise:
        """The room's exercise (stored whole in the room; cached, as it never changes)."""
        ex = self._exercises.get(room["id"])
        if ex is None:
            try:
                ex = Exercise.from_dict(json.loads(room["exercise"]))
            except (ValueError, TypeError, KeyError, PeninsulaError) as exc:
                raise DatabaseUnavailable(f"holds a damaged exercise for room {room['code']} ({exc})") from None
            self._exercises[room["id"]] = ex
        return ex

    @staticmethod
    def _check_turn(room, turn) -> None:
        if isinstance(turn, bool) or not isinstance(turn, int):
            raise StaleRequest(f"a request names the turn it is for (an index from 0), got {turn!r}")
        if turn != room["turn"]:
            now = f"turn {room['turn'] + 1} of {room['turns']}" if room["status"] != "ended" else "the end"
            raise StaleRequest(f"this request is for turn {turn + 1}, but the room is at {now}; it was not applied "
                               "(reload to see the current turn)")

    @staticmethod
    def _check_open(room, action: str) -> None:
        if room["status"] == "ended":
            raise WrongState(f"the game in room {room['code']} has ended: cannot {action}")
        if room["status"] == "paused":
            raise WrongState(f"the game in room {room['code']} is paused: cannot {action} until the instructor "
                             "resumes it")

    # -- rooms and seats ------------------------------------------------------------------------------
    def open_room(self, exercise: str | Path | Exercise, members: int | None = None, seed: int | None = None, *,
                  advisor: bool | None = None, seats_per_role: int = SEATS_PER_ROLE) -> RoomKeys:
        """Open a room for an exercise. Returns (join code, instructor token).

        Args:
            exercise: a bundled exercise's name, an exercise file, or an :class:`Exercise`.
            members: worlds in the ensemble (default: the exercise's).
            seed: the ensemble's seed (default: the exercise's, else its scenario's).
            advisor: whether the students see the model's scorecard (where the exercise allows it).
            seats_per_role: how many students may sit on each role, as a team (1 to
                :data:`MAX_SEATS_PER_ROLE`; default :data:`SEATS_PER_ROLE`); fixed for the room.
        """
        if (isinstance(seats_per_role, bool) or not isinstance(seats_per_role, int)
                or not 1 <= seats_per_role <= MAX_SEATS_PER_ROLE):
            raise PeninsulaError(f"seats per role is a whole number from 1 to {MAX_SEATS_PER_ROLE}, got "
                                 f"{seats_per_role!r}", field="seats_per_role")
        ex = exercise if isinstance(exercise, Exercise) else load_exercise(exercise)
        game = Game(ex, members=members, seed=seed, advisor=advisor)  # checks members and seed
        token = secrets.token_urlsafe(24)
        data = json.dumps(ex.to_dict(), sort_keys=True)
        with self._tx() as conn:
            for _ in range(50):
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if conn.execute("SELECT 1 FROM rooms WHERE code = ?", (code,)).fetchone() is None:
                    break
            else:  # pragma: no cover - 32**6 codes
                raise PeninsulaError("could not find a free room code; try again")
            cur = conn.execute(
                "INSERT INTO rooms (code, exercise, title, members, seed, advisor, instructor_hash, status, turn, "
                "turns, seats_per_role) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', 0, ?, ?)",
                (code, data, ex.title or ex.name, game.members, game.seed, int(game.advisor_on), _hash(token),
                 ex.turns, seats_per_role))
            room_id = cur.lastrowid
        with self._lock:
            self._games[room_id] = game
        return RoomKeys(code, token)

    def lobby(self, code: str) -> Lobby:
        """Public facts about a room: title, situation, roles and who sits on each, status."""
        with self._tx(write=False) as conn:
            room = self._room_by_code(conn, code)
            seats = conn.execute("SELECT role, name FROM seats WHERE room_id = ? ORDER BY id", (room["id"],)).fetchall()
        ex = self._exercise(room)
        roles = {r: tuple(s["name"] for s in seats if s["role"] == r) for r in ex.roles}
        return Lobby(room["code"], room["title"], ex.description, ex.situation, roles, room["status"], room["turn"],
                     room["turns"], room["seats_per_role"])

    @staticmethod
    def _room_by_code(conn, code) -> sqlite3.Row:
        key = str(code or "").strip().upper()
        room = conn.execute("SELECT * FROM rooms WHERE code = ?", (key,)).fetchone()
        if room is None:
            raise AccessDenied(f"no room has the code {key!r}; check the code the instructor gave")
        return room

    def join(self, code: str, role: str, name: str) -> str:
        """Take a free seat on a role (several seats on one role make a team). Returns the seat's token.

        Raises:
            AccessDenied: no room has the code.
            RoleFull: every seat of the role is taken (the room's ``seats_per_role``).
            WrongState: the game has ended.
            PeninsulaError: an empty or too long name, or a role the exercise does not have.
        """
        clean = " ".join(str(name or "").split())
        if not clean or len(clean) > MAX_NAME or not clean.isprintable():
            raise PeninsulaError(f"a name is 1 to {MAX_NAME} printable characters", field="name")
        token = secrets.token_urlsafe(24)
        with self._tx() as conn:
            room = self._room_by_code(conn, code)
            if room["status"] == "ended":
                raise WrongState(f"the game in room {room['code']} has ended; no more seats")
            ex = self._exercise(room)
            if role not in ex.roles:
                raise PeninsulaError(f"{role!r} is not a role in this exercise; its roles: {', '.join(ex.roles)}",
                                     field="role")
            held = conn.execute("SELECT COUNT(*) FROM seats WHERE room_id = ? AND role = ?",
                                (room["id"], role)).fetchone()[0]
            cap = room["seats_per_role"]
            if held >= cap:
                seats = "its seat is" if cap == 1 else f"all {cap} of its seats are"
                raise RoleFull(f"{ACTOR_NAMES[role]} ({role}) is full: {seats} taken in room {room['code']}; "
                               "choose another state", field="role")
            conn.execute("INSERT INTO seats (room_id, role, name, token_hash) VALUES (?, ?, ?, ?)",
                         (room["id"], role, clean, _hash(token)))
        return token

    # -- moves --------------------------------------------------------------------------------------
    def _choice_request(self, conn, seat_token, turn, option, role) -> tuple[sqlite3.Row, sqlite3.Row, str]:
        """(seat, room, move name) of a seat's request for a move; the checks of :meth:`choose`."""
        seat, room = self._identify(conn, seat_token)
        if seat is None:
            raise AccessDenied("choices come from a student's seat; this is the instructor's token")
        if role is not None and role != seat["role"]:
            raise AccessDenied(f"your seat plays {seat['role']}; it cannot choose for {role}")
        self._check_open(room, "choose")
        self._check_turn(room, turn)
        return seat, room, option_name(seat["role"], option)

    def choose(self, seat_token: str, turn: int, option: str | int, *, role: str | None = None) -> Ack:
        """A seat's move for its role in the current turn (``turn`` must be the current turn index).

        The move is made in the turn's first month, and the role's posture holds for the rest of
        the turn. When every role with a seat has chosen, the turn resolves.

        Raises:
            AccessDenied: not a seat token, or ``role`` is not the seat's role.
            StaleRequest: another turn, or the role has already chosen this turn.
            WrongState: the game is paused or has ended.
            GameError: the role has no such move, or the move is possible in no world now
                ("launch_satellite is not possible now: needs space capability 0.5; it is 0.20").
        """
        with self._tx(write=False) as conn:
            seat, room, name = self._choice_request(conn, seat_token, turn, option, role)
            record = self._record(conn, room)
        why = None
        if not always_possible(seat["role"], name):
            with self._game(room["id"], record) as game:
                why = game.impossible(seat["role"]).get(name)
        if why is not None:
            raise GameError(f"{name} is not possible now: {why}", field="option")
        # An inject released between the check and the write may rule the move out after all: the
        # game then keeps the role's posture in that turn (Game.play, not strict, on replay).
        with self._tx() as conn:
            seat, room, name = self._choice_request(conn, seat_token, turn, option, role)
            prior = conn.execute("SELECT c.option, s.name FROM choices c JOIN seats s ON s.id = c.seat_id "
                                 "WHERE c.room_id = ? AND c.role = ? AND c.turn = ?",
                                 (room["id"], seat["role"], turn)).fetchone()
            if prior is not None:
                raise StaleRequest(f"{seat['role']} has already chosen {prior['option']} for turn {turn + 1} "
                                   f"({prior['name']}'s choice); a choice is final")
            try:
                conn.execute("INSERT INTO choices (room_id, role, turn, option, seat_id) VALUES (?, ?, ?, ?, ?)",
                             (room["id"], seat["role"], turn, name, seat["id"]))
            except sqlite3.IntegrityError:  # pragma: no cover - the SELECT above sees it first under BEGIN IMMEDIATE
                raise StaleRequest(f"{seat['role']} has already chosen for turn {turn + 1}; a choice is "
                                   "final") from None
            taken = {r["role"] for r in conn.execute("SELECT DISTINCT role FROM seats WHERE room_id = ?",
                                                     (room["id"],))}
            chosen = {r["role"] for r in conn.execute("SELECT role FROM choices WHERE room_id = ? AND turn = ?",
                                                      (room["id"], turn))}
            resolved = taken <= chosen
            status = self._resolve(conn, room) if resolved else room["status"]
        return Ack(turn, name, resolved, status)

    @staticmethod
    def _resolve(conn, room) -> str:
        status = "ended" if room["turn"] + 1 >= room["turns"] else room["status"]
        conn.execute("UPDATE rooms SET turn = turn + 1, status = ? WHERE id = ? AND turn = ?",
                     (status, room["id"], room["turn"]))
        return status

    def advance(self, instructor_token: str, turn: int) -> Ack:
        """Resolve the current turn now (``turn``: its index): roles that have not chosen play by the rule."""
        with self._tx() as conn:
            room = self._instructor(conn, instructor_token, "advance a turn")
            self._check_open(room, "advance a turn")
            self._check_turn(room, turn)
            status = self._resolve(conn, room)
        return Ack(turn, None, True, status)

    def release(self, instructor_token: str, inject_id: str, turn: int | None = None) -> Ack:
        """Release an instructor inject: it takes effect at the start of the current turn.

        Args:
            instructor_token: the instructor's token.
            inject_id: the id of an inject marked ``release: instructor``.
            turn: if given, the request is refused unless the room is at this turn.
        """
        with self._tx() as conn:
            room = self._instructor(conn, instructor_token, "release an inject")
            if room["status"] == "ended":
                raise WrongState(f"the game in room {room['code']} has ended: cannot release an inject")
            if turn is not None:
                self._check_turn(room, turn)
            ex = self._exercise(room)
            instructor_inject(ex, inject_id)
            prior = conn.execute("SELECT turn FROM releases WHERE room_id = ? AND inject_id = ?",
                                 (room["id"], inject_id)).fetchone()
            if prior is not None:
                raise StaleRequest(f"the inject {inject_id!r} was already released (turn {prior['turn'] + 1})")
            conn.execute("INSERT INTO releases (room_id, inject_id, turn) VALUES (?, ?, ?)",
                         (room["id"], inject_id, room["turn"]))
        return Ack(room["turn"], None, False, room["status"])

    def _set_status(self, token: str, action: str, allowed: tuple[str, ...], new: str) -> Ack:
        with self._tx() as conn:
            room = self._instructor(conn, token, action)
            if room["status"] not in allowed:
                raise WrongState(f"the game in room {room['code']} is {room['status']}: cannot {action}")
            conn.execute("UPDATE rooms SET status = ? WHERE id = ?", (new, room["id"]))
        return Ack(room["turn"], None, False, new)

    def pause(self, instructor_token: str) -> Ack:
        """Pause: no choices and no turn resolves until :meth:`resume`."""
        return self._set_status(instructor_token, "pause the game", ("open",), "paused")

    def resume(self, instructor_token: str) -> Ack:
        """Resume a paused game: choices and turns go on."""
        return self._set_status(instructor_token, "resume the game", ("paused",), "open")

    def end(self, instructor_token: str) -> Ack:
        """End the game where it stands: the debrief opens for everyone."""
        return self._set_status(instructor_token, "end the game", ("open", "paused"), "ended")

    # -- what each seat sees ----------------------------------------------------------------------
    def _record(self, conn, room) -> GameRecord:
        try:
            data = json.loads(room["exercise"])
            roles = list(data["roles"])
            choices: list[dict[str, str | None]] = [{r: None for r in roles} for _ in range(room["turn"])]
            for row in conn.execute("SELECT role, turn, option FROM choices WHERE room_id = ? AND turn < ?",
                                    (room["id"], room["turn"])):
                choices[row["turn"]][row["role"]] = row["option"]
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise DatabaseUnavailable(f"holds a damaged record for room {room['code']} "
                                      f"({type(exc).__name__}: {exc})") from None
        releases = [(row["inject_id"], row["turn"]) for row in
                    conn.execute("SELECT inject_id, turn FROM releases WHERE room_id = ? ORDER BY id", (room["id"],))]
        return GameRecord(exercise=data, roles=roles, members=room["members"], seed=room["seed"],
                          advisor=bool(room["advisor"]), choices=choices, releases=releases)

    @contextmanager
    def _game(self, room_id: int, record: GameRecord) -> Iterator[Game]:
        """The room's game, recomputed to match the record exactly (cached; one user at a time)."""
        with self._lock:
            lock = self._room_locks.setdefault(room_id, threading.Lock())
        with lock:
            game = self._games.get(room_id)
            if game is not None:
                try:
                    game.advance_to(record)
                except GameError:
                    game = None
            if game is None:
                ex = self._exercises.get(room_id) or Exercise.from_dict(record.exercise)
                game = Game(ex, record.roles, members=record.members, seed=record.seed, advisor=record.advisor)
                game.advance_to(record)
                with self._lock:
                    self._games[room_id] = game
            yield game

    def record(self, instructor_token: str) -> GameRecord:
        """The room's record, what rebuilds its game (the instructor's only: it holds every briefing)."""
        with self._tx(write=False) as conn:
            room = self._instructor(conn, instructor_token, "read the game's record")
            return self._record(conn, room)

    def view(self, token: str) -> SeatView | InstructorView:
        """What this token may see: a :class:`SeatView` for a seat, an :class:`InstructorView` for the instructor."""
        with self._tx(write=False) as conn:
            seat, room = self._identify(conn, token)
            record = self._record(conn, room)
            seats = conn.execute("SELECT id, role, name FROM seats WHERE room_id = ? ORDER BY id",
                                 (room["id"],)).fetchall()
            now = conn.execute("SELECT c.role, c.option, s.name FROM choices c JOIN seats s ON s.id = c.seat_id "
                               "WHERE c.room_id = ? AND c.turn = ?", (room["id"], room["turn"])).fetchall()
            released = {r["inject_id"]: r["turn"] for r in
                        conn.execute("SELECT inject_id, turn FROM releases WHERE room_id = ?", (room["id"],))}
        ex = self._exercise(room)
        status, turn = room["status"], room["turn"]
        months = "game over" if status == "ended" or turn >= ex.turns else ex.turn_label(turn)
        ready = status == "ended" and turn > 0
        if seat is not None:
            role = seat["role"]
            with self._game(room["id"], record) as game:
                world = game.view(role, advice=bool(room["advisor"]) and status != "ended")
                options = game.options(role)
            chosen = next((c["option"] for c in now if c["role"] == role), None)
            mates = tuple(s["name"] for s in seats if s["role"] == role and s["id"] != seat["id"])
            return SeatView(room["code"], room["title"], role, ACTOR_NAMES[role], seat["name"], mates, status, turn,
                            ex.turns, months, ex.situation, ex.briefing(role), options, chosen, world, ready)
        taken = list(dict.fromkeys(r for r in ex.roles if any(s["role"] == r for s in seats)))
        moved = {r: next((c["name"] for c in now if c["role"] == r), None) for r in taken}
        with self._game(room["id"], record) as game:
            views = {r: game.view(r, advice=status != "ended") for r in ex.roles}
        injects = tuple(InjectStatus(i.id, i.label, i.month, i.release, released.get(i.id)) for i in ex.injects)
        return InstructorView(room["code"], room["title"], status, turn, ex.turns, months,
                              tuple((s["name"], s["role"]) for s in seats), moved,
                              tuple(r for r in taken if moved[r] is None), tuple(r for r in ex.roles if r not in taken),
                              injects, ex.situation, dict(ex.briefings), views, ready, room["seats_per_role"])

    def debrief(self, token: str) -> Debrief:
        """The debrief, once the game has ended: a seat gets its role's, the instructor every seated role's.

        A seat's copy carries no game record and only its own role's briefing.
        """
        with self._tx(write=False) as conn:
            seat, room = self._identify(conn, token)
            if room["status"] != "ended":
                raise WrongState("the debrief opens when the game ends")
            if room["turn"] == 0:
                raise WrongState("the game ended before any turn was played: there is nothing to debrief")
            record = self._record(conn, room)
            seated = {r["role"] for r in conn.execute("SELECT role FROM seats WHERE room_id = ?", (room["id"],))}
        roles = [seat["role"]] if seat is not None else [r for r in record.roles if r in seated] or list(record.roles)
        with self._game(room["id"], record) as game:
            debrief = game.debrief(roles)
        summary = debrief.summary()
        with self._tx() as conn:
            for role in roles:
                part = {k: v for k, v in summary.items() if k != "roles"} | {"role": role,
                                                                             **summary["roles"][role]}
                conn.execute("INSERT OR REPLACE INTO results (room_id, role, turns_played, summary) "
                             "VALUES (?, ?, ?, ?)",
                             (room["id"], role, debrief.turns_played, json.dumps(part, sort_keys=True)))
        if seat is not None:
            role = seat["role"]
            own = debrief.exercise.model_copy(update={"briefings": {role: debrief.exercise.briefings[role]}})
            debrief = replace(debrief, exercise=own, record=None)
        return debrief

    def stored_results(self, token: str) -> dict[str, dict]:
        """Debrief summaries stored so far (role -> summary): the seat's own role, or all for the instructor."""
        with self._tx(write=False) as conn:
            seat, room = self._identify(conn, token)
            rows = conn.execute("SELECT role, summary FROM results WHERE room_id = ?", (room["id"],)).fetchall()
        return {r["role"]: json.loads(r["summary"]) for r in rows if seat is None or r["role"] == seat["role"]}

