"""Classroom: an instructor runs an exercise for students who play its states from their own browsers.

One page, three modes, chosen by the URL's query parameters:

- ``/classroom``: open a room (instructor) or type a room's code (student);
- ``/classroom?code=ABC234``: the join page of a room: a name and a role (several students on
  one role make a team, up to the room's seats per role; a full role refuses a newcomer);
- ``/classroom?token=...``: a seat: a student's (own briefing, the turn, the choice) or the
  instructor's (who has moved, injects, advance, pause and resume, end). The token is the
  seat: a reloaded browser, or one that comes back after a server restart, rejoins it.

Rooms live in the SQLite file of :class:`sim.game.classroom.Classroom` (``$PENINSULA_DB``, else
``~/.peninsula/classroom.sqlite3``); the page holds no game state of its own. Refusals
(:class:`~sim.game.classroom.AccessDenied`, :class:`~sim.game.classroom.StaleRequest`,
:class:`~sim.game.classroom.WrongState`, :class:`~sim.game.GameError`) show as messages, and so
does a database that is locked, damaged or not a classroom's (never a traceback). A seat's
page checks the room every few seconds and redraws when something changed.

What students type (their names) and what a link carries (a room's code) reach the page as
plain text: every such string, and every refusal that may quote one, goes through
:func:`dashboard.ui.plain` before it reaches Markdown (titles, captions, messages, radio
options, ``st.table`` cells), so a name such as ``![x](http://…)`` or ``<script>`` shows as
written, to classmates and the instructor alike.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from dashboard import game_ui
from dashboard.ui import plain
from sim.game.classroom import (
    DB_ENV,
    DEFAULT_DB,
    MAX_SEATS_PER_ROLE,
    SEATS_PER_ROLE,
    TIMEOUT_ENV,
    Classroom,
    InstructorView,
    SeatView,
)
from sim.errors import PeninsulaError
from sim.game.game import TurnView, label

FLASH = "cls_flash"
POLL_SECONDS = 3
DEFAULT_MEMBERS = 100
MAX_MEMBERS = 5_000


@st.cache_resource(show_spinner=False, max_entries=8)
def _classroom(path: str, timeout: str) -> Classroom:
    """One :class:`Classroom` per database file (and wait) for the whole server (it caches the rooms' games)."""
    return Classroom(path)


db_path = os.environ.get(DB_ENV) or str(DEFAULT_DB)
try:
    room = _classroom(db_path, os.environ.get(TIMEOUT_ENV, ""))
except PeninsulaError as exc:
    st.title("Classroom")
    st.error(f"The classroom database cannot be opened: {plain(exc)}")
    st.caption(f"Set the environment variable {DB_ENV} to a writable classroom database file (or a new one) and "
               "reload this page; if another program holds the file, wait for it and reload.")
    st.stop()


def act(action, *args, done: str | None = None) -> None:
    """Run a classroom request from a button; a refusal becomes a message on the page."""
    try:
        ack = action(*args)
    except PeninsulaError as exc:
        game_ui.flash("error", plain(exc), key=FLASH)
        return
    if done:
        if getattr(ack, "option", None) and ack.resolved:
            done += (" Every state with a student has chosen: the game is over." if ack.status == "ended"
                     else f" Every state with a student has chosen: turn {ack.turn + 1} is resolved.")
        game_ui.flash("success", done, key=FLASH)


def leave() -> None:
    """Back to the first page (open or join a room)."""
    st.query_params.clear()


def stamp_of(v: SeatView | InstructorView) -> tuple:
    """What, when it changes, makes a seat's page redraw."""
    if isinstance(v, SeatView):
        return v.status, v.turn, v.chosen
    return (v.status, v.turn, tuple(sorted(v.moved.items())), v.seats,
            tuple((i.id, i.released_turn) for i in v.injects))


@st.fragment(run_every=POLL_SECONDS)
def watch(token: str, stamp: tuple) -> None:
    """Check the room every few seconds; redraw the page when the turn, the status or the moves changed."""
    try:
        now = stamp_of(room.view(token))
    except PeninsulaError:
        return
    if now != stamp:
        st.rerun()


def turn_view(view: TurnView, *, key: str, you: bool = True) -> None:
    """The turn as the player of ``view.role`` sees it (charts from the view's bands)."""
    dates = game_ui.view_dates(view)
    ens = game_ui.ensemble_of_view(view, dates) if dates and len(dates) > 1 else None
    game_ui.turn_body(view, ens, key=key, you=you)


def join_link(code: str) -> str:
    """The link that opens this page with a room's join code filled in."""
    base = (st.context.url or "").split("?")[0] or "/classroom"
    return f"{base}?code={code}"


# -- no room yet: open one, or type a code -----------------------------------------------------------------
def landing() -> None:
    """The Classroom front page: open a room (instructor) or find one by its code (student)."""
    st.title("Classroom")
    st.markdown("An instructor opens a room for an exercise and gives its code to the students; each student joins "
                "from their own browser and plays one state (several students on one state make a team, up to the "
                "room's seats per state). Each turn "
                "every student chooses; the instructor sees who has moved, can release injects and advance the "
                "turn (states that did not choose play by the model's rule), and ends the game into the debrief.")
    left, right = st.columns(2, gap="large")
    with left, st.container(border=True):
        st.subheader("Open a room (instructor)")
        exercises = game_ui.exercises()
        name = st.selectbox("Exercise", list(exercises), key="cls_exercise",
                            format_func=lambda n: game_ui.exercise_label(exercises[n]))
        ex = exercises[name]
        if ex.description:
            st.caption(ex.description)
        c1, c2 = st.columns(2)
        members = int(c1.number_input("Worlds", min_value=1, max_value=MAX_MEMBERS, value=DEFAULT_MEMBERS, step=50,
                                      key="cls_members",
                                      help=f"Members of the ensemble (the exercise itself uses {ex.members})."))
        default_seed = ex.seed if ex.seed is not None else ex.scenario.seed
        seed = int(c2.number_input("Seed", min_value=0, max_value=2**31 - 1, value=int(default_seed), step=1,
                                   key=f"cls_seed|{name}"))
        seats = int(st.number_input("Seats per state", min_value=1, max_value=MAX_SEATS_PER_ROLE,
                                    value=SEATS_PER_ROLE, step=1, key="cls_seats",
                                    help="How many students may play one state, as a team (the first choice of a "
                                         "turn counts). Once its seats are taken, a state refuses newcomers."))
        advisor = False
        if ex.advisor:
            advisor = st.toggle("Advisor for the students", value=True, key=f"cls_advisor|{name}",
                                help="This exercise lets players see how the model itself scores their moves.")
        if st.button("Open a room", key="cls_open", type="primary", icon=":material/meeting_room:"):
            try:
                keys = room.open_room(ex, members=members, seed=seed, advisor=advisor, seats_per_role=seats)
            except PeninsulaError as exc:
                st.error(f"The room cannot be opened: {plain(exc)}")
            else:
                st.query_params.clear()
                st.query_params["token"] = keys.instructor_token
                st.rerun()
    with right, st.container(border=True):
        st.subheader("Join a room (student)")
        code = st.text_input("The room's code", key="cls_code", max_chars=12, placeholder="e.g. K7QX2M",
                             help="The instructor gives it (or a link that holds it).")
        if st.button("Find the room", key="cls_find", icon=":material/login:"):
            if code.strip():
                st.query_params.clear()
                st.query_params["code"] = code.strip().upper()
                st.rerun()
            st.error("Type the room's code first.")


# -- the join page -------------------------------------------------------------------------------------------
def join_page(code: str) -> None:
    """The page for joining a room by its code: pick a name and a state, take the seat."""
    try:
        lobby = room.lobby(code)
    except PeninsulaError as exc:
        st.title("Classroom")
        st.error(plain(exc))
        st.button("Back", key="cls_back", on_click=leave, icon=":material/arrow_back:")
        return
    st.title(f"Join: {plain(lobby.title)}")
    st.caption(f"Room {lobby.code} · {lobby.status} · turn {min(lobby.turn + 1, lobby.turns)} of {lobby.turns} · "
               f"{lobby.seats_per_role} {'seat' if lobby.seats_per_role == 1 else 'seats'} per state")
    if lobby.status == "ended":
        st.warning("This game has ended: no more seats.")
        st.button("Back", key="cls_back", on_click=leave, icon=":material/arrow_back:")
        return
    if lobby.situation.strip():
        with st.expander("The situation (for everyone)", expanded=True):
            game_ui.markdown_with_claims(lobby.situation, key="cls_join_situation")

    def seated(r: str) -> str:
        names = lobby.roles.get(r, ())
        if not names:
            return f"{game_ui.role_label(r)} — free"
        free = lobby.seats_per_role - len(names)
        left = "full" if free <= 0 else f"{free} {'seat' if free == 1 else 'seats'} left"
        return f"{game_ui.role_label(r)} — team: {', '.join(plain(n) for n in names)} ({left})"

    with st.container(border=True):
        name = st.text_input("Your name", key="cls_name", max_chars=60)
        role = st.radio("The state you play", list(lobby.roles), key="cls_role", format_func=seated,
                        help=f"Up to {lobby.seats_per_role} students on one state make a team: the first choice of a "
                             "turn counts. A full state takes no newcomer.")
        if st.button("Take the seat", key="cls_join", type="primary", icon=":material/chair:"):
            try:
                token = room.join(lobby.code, role, name)
            except PeninsulaError as exc:
                st.error(f"You could not join: {plain(exc)}")
            else:
                st.query_params.clear()
                st.query_params["token"] = token
                st.rerun()
    st.button("Back", key="cls_back", on_click=leave, icon=":material/arrow_back:")


def _cached_debrief(token: str, v, wait_text: str):
    """The room's debrief for this seat, computed once per (token, turn); None after a message."""
    if not v.debrief_ready:
        st.info("The game ended before any turn was played: there is nothing to debrief.")
        return None
    key = ("cls_debrief", token, v.turn)
    if st.session_state.get("cls_debrief_key") != key:
        try:
            with st.spinner(wait_text):
                st.session_state["cls_debrief_value"] = room.debrief(token)
        except PeninsulaError as exc:
            st.error(plain(exc))
            return None
        st.session_state["cls_debrief_key"] = key
    return st.session_state["cls_debrief_value"]


# -- a student's seat ------------------------------------------------------------------------------------------
def student(token: str, v: SeatView) -> None:
    """A student's seat page: briefing, the turn, the choice, and at the end the debrief."""
    st.title(plain(v.title))
    mates = f" · team: {', '.join(plain(n) for n in v.teammates)}" if v.teammates else ""
    st.markdown(f"You play **{game_ui.role_label(v.role)}** as **{plain(v.name)}** · room {v.code}{mates}")
    st.caption("This page's address is your seat: keep it (a bookmark, this tab). Reloading it, or coming back "
               "after the server restarts, brings you back to your seat.")
    game_ui.show_flash(key=FLASH)
    if v.status == "ended":
        st.header("Debrief")
        debrief = _cached_debrief(token, v, "Playing the model's own game in the same worlds…")
        if debrief is None:
            return
        game_ui.debrief_section(debrief, [v.role], key="cls_debrief", file_stem=f"{v.code}-{v.role}")
        return
    if v.status == "paused":
        st.warning("The instructor has paused the game: choices wait until it resumes.", icon=":material/pause:")
    game_ui.turn_header(v.world)
    with st.expander(f"Your briefing ({v.role_title}, private to your seat) and the situation",
                     expanded=v.turn == 0):
        if v.situation.strip():
            game_ui.markdown_with_claims(v.situation, key="cls_situation", quotes=False)
            st.divider()
        game_ui.markdown_with_claims(v.briefing, key="cls_briefing")
    turn_view(v.world, key=f"cls_seat_t{v.turn}")

    st.subheader(f"Your move for turn {v.turn + 1}: {v.months}")
    if v.chosen:
        st.success(f"{v.role_title} plays **{label(v.chosen)}** this turn. Waiting for the other states, or for "
                   "the instructor to advance the turn.", icon=":material/hourglass_top:")
    else:
        if v.world.advice is not None:
            with st.container(border=True):
                game_ui.advice_section(v.world.advice)
        choice = game_ui.option_radio(v.options, key=f"cls_option_{v.turn}", disabled=v.status != "open",
                                      role=v.role)

        def choose(turn: int) -> None:
            option = st.session_state.get(f"cls_option_{turn}")
            if option is None:
                game_ui.flash("error", "Choose one of your moves first.", key=FLASH)
                return
            act(room.choose, token, turn, option, done=f"You chose {label(option)} for turn {turn + 1}.")

        st.button(f"Choose {label(choice)}" if choice else "Choose this move", key="cls_choose",
                  type="primary", disabled=choice is None or v.status != "open", on_click=choose,
                  args=(v.turn,), icon=":material/check:")
        if v.teammates:
            st.caption("Your team's first choice of the turn counts.")
    game_ui.options_evidence(v.options, v.role)


# -- the instructor ---------------------------------------------------------------------------------------------
def instructor(token: str, v: InstructorView) -> None:
    """The instructor's page: join code, turn controls, who has moved, and at the end the debrief."""
    st.title(f"{plain(v.title)}: instructor")
    c1, c2 = st.columns([1, 3])
    c1.metric("Join code", v.code)
    with c2:
        st.markdown("Students join with the code on the Classroom page, or with this link:")
        st.code(join_link(v.code), language=None)
        st.caption("This page's address is your instructor link: keep it private (it runs the room). Reloading it, "
                   "or coming back after the server restarts, brings you back.")
    game_ui.show_flash(key=FLASH)

    if v.status == "ended":
        st.header("Debrief")
        debrief = _cached_debrief(token, v, "Playing the model's own game of each role in the same worlds…")
        if debrief is None:
            return
        game_ui.debrief_section(debrief, list(debrief.roles), key="cls_debrief", file_stem=f"{v.code}")
        return

    any_view = next(iter(v.views.values()))
    game_ui.turn_header(any_view)
    if v.status == "paused":
        st.warning("The game is paused: students cannot choose until you resume it.", icon=":material/pause:")

    b1, b2, b3, b4 = st.columns(4)
    b1.button(f"Advance: resolve turn {v.turn + 1}", key="cls_advance", type="primary", width="stretch",
              on_click=act, args=(room.advance, token, v.turn), kwargs={"done": f"Turn {v.turn + 1} resolved."},
              disabled=v.status != "open", icon=":material/skip_next:",
              help="Resolve the turn now: states whose students have not chosen play by the model's rule.")
    if v.status == "paused":
        b2.button("Resume", key="cls_resume", width="stretch", on_click=act, args=(room.resume, token),
                  kwargs={"done": "The game resumes."}, icon=":material/play_arrow:")
    else:
        b2.button("Pause", key="cls_pause", width="stretch", on_click=act, args=(room.pause, token),
                  kwargs={"done": "The game is paused."}, icon=":material/pause:")
    with b3.popover("End the game", icon=":material/flag:", width="stretch"):
        st.markdown("End the game where it stands? The debrief opens for everyone; no more turns can be played.")
        st.button("End the game now", key="cls_end", type="primary", on_click=act, args=(room.end, token),
                  kwargs={"done": "The game has ended: the debrief is open."})
    b4.button("Refresh", key="cls_refresh", width="stretch", icon=":material/refresh:")

    st.subheader(f"Who has moved in turn {v.turn + 1}")
    by_role: dict[str, list[str]] = {}
    for name, r in v.seats:
        by_role.setdefault(r, []).append(name)
    rows = []
    for r in v.views:
        if r in v.untaken:
            state = "no seat: the model's rule plays it"
        elif v.moved.get(r):
            state = f"moved ({plain(v.moved[r])})"
        else:
            state = "waiting"
        rows.append({"state": game_ui.role_label(r),
                     "students": ", ".join(plain(n) for n in by_role.get(r, [])) or "—",
                     "seats": f"{len(by_role.get(r, []))} of {v.seats_per_role}", "this turn": state})
    st.table(pd.DataFrame(rows).set_index("state"))  # st.table draws its cells as Markdown: names go through plain()
    if v.waiting:
        st.caption(f"Waiting for {', '.join(v.waiting)}. The turn resolves by itself when every state with a "
                   "student has chosen; 'Advance' resolves it now.")

    st.subheader("Injects")
    inj_rows = [{"inject": i.label, "id": i.id,
                 "when": i.month if i.month else "when you release it",
                 "released": (f"from turn {i.released_turn + 1}" if i.released_turn is not None
                              else ("scheduled" if i.month else "not yet"))} for i in v.injects]
    if inj_rows:
        st.table(pd.DataFrame(inj_rows).set_index("inject"))
    releasable = [i for i in v.injects if i.release and i.released_turn is None]
    if releasable:
        labels = {i.id: i.label for i in releasable}
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.selectbox("Release an inject (it takes effect at the start of this turn)", list(labels),
                     key="cls_inject", format_func=lambda i: f"{labels[i]} ({i})")

        def release(turn: int) -> None:
            inject_id = st.session_state.get("cls_inject")
            if inject_id:
                act(room.release, token, inject_id, turn, done=f"Released: {labels.get(inject_id, inject_id)}.")

        c2.button("Release", key="cls_release", on_click=release, args=(v.turn,), icon=":material/campaign:",
                  width="stretch")

    st.subheader("What each state sees")
    roles = list(v.views)
    tabs = st.tabs([game_ui.role_label(r) for r in roles], key="cls_role_tabs", on_change="rerun")
    for tab, r in zip(tabs, roles, strict=True):
        if tab.open is False:  # only the open role is drawn
            continue
        with tab:
            view = v.views[r]
            with st.expander(f"{game_ui.role_label(r)}'s private briefing"):
                game_ui.markdown_with_claims(v.briefings.get(r, ""), key=f"cls_ins_briefing_{r}")
            turn_view(view, key=f"cls_ins_{r}_t{v.turn}", you=False)
            if view.advice is not None:
                game_ui.advice_section(view.advice)


# -- which page ---------------------------------------------------------------------------------------------------
token = st.query_params.get("token")
code = st.query_params.get("code")
if token:
    try:
        seat_view = room.view(token)
    except PeninsulaError as exc:
        st.title("Classroom")
        st.error(f"This link opens no seat: {plain(exc)}")
        st.button("Open or join a room", key="cls_back", on_click=leave, icon=":material/arrow_back:")
        st.stop()
    if isinstance(seat_view, InstructorView):
        instructor(token, seat_view)
    else:
        student(token, seat_view)
    if seat_view.status != "ended":
        watch(token, stamp_of(seat_view))
        st.caption(f"This page checks the room every {POLL_SECONDS} seconds and redraws when something changes.")
elif code:
    join_page(code)
else:
    landing()
