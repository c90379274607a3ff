"""Play: take a state in a teaching exercise and play it turn by turn against the model (``sim.game.Game``).

The game lives in ``st.session_state["play_game"]`` (a :class:`sim.game.Game`): each turn
shows the player's briefing, the news, what the others did last turn and why, where the
player's state, posture and the world stand (band charts of ``game.results()``), the moves
with their evidence (those impossible now greyed, with the reason) and, if the exercise allows
it, the advisor's scorecard. The player's move is made in the turn's first month in every world
where it is possible, and the posture then holds for the rest of the turn. At the end: the
debrief against the model's own play, the exercise's questions and the downloads.
"""

from __future__ import annotations

import streamlit as st

from dashboard import data, game_ui
from sim.actors.base import KEEP
from sim.errors import PeninsulaError
from sim.game.game import Game, label

GAME = "play_game"
STOPPED = "play_stopped"
FLASH = "play_flash"
DEFAULT_MEMBERS = 100
MAX_MEMBERS = 5_000

exercises = game_ui.exercises()
if not exercises:
    st.title("Play")
    st.error("No exercise is bundled (scenarios/exercises/*.yaml).")
    st.stop()

# -- the sidebar: exercise, role, ensemble -----------------------------------------------------------------
st.sidebar.header("Exercise")
names = list(exercises)
name = st.sidebar.selectbox("Exercise", names, key="play_exercise", format_func=lambda n: exercises[n].title or n,
                            persist_state="session", help="The bundled exercises (scenarios/exercises/*.yaml).")
ex = exercises[name]
role = st.sidebar.selectbox("Your role", ex.roles, key=f"play_role|{name}", format_func=game_ui.role_label,
                            persist_state="session", help="The state you play; the others play by the model's rule.")
default_seed = ex.seed if ex.seed is not None else ex.scenario.seed
members = int(st.sidebar.number_input("Worlds", min_value=1, max_value=MAX_MEMBERS, value=DEFAULT_MEMBERS, step=50,
                                      key="play_members", persist_state="session",
                                      help="Members of the ensemble: your choice applies in every one of them. "
                                           f"The exercise itself uses {ex.members}; fewer play faster."))
seed = int(st.sidebar.number_input("Seed", min_value=0, max_value=2**31 - 1, value=int(default_seed), step=1,
                                   key=f"play_seed|{name}", persist_state="session",
                                   help="The same seed gives the same worlds (and the same debrief for the same "
                                        "choices)."))
advisor = False
if ex.advisor:
    advisor = st.sidebar.toggle("Advisor", value=True, key=f"play_advisor|{name}", persist_state="session",
                                help="This exercise lets you see how the model itself scores your moves.")
else:
    st.sidebar.caption("This exercise has no advisor: you decide without the model's scorecard.")


def start() -> None:
    """Start a game with the sidebar's exercise, role, worlds, seed and advisor."""
    try:
        st.session_state[GAME] = Game(ex, role, members=members, seed=seed, advisor=advisor)
    except PeninsulaError as exc:
        game_ui.flash("error", f"The game cannot start: {exc}", key=FLASH)
        return
    st.session_state[STOPPED] = False
    st.session_state.pop("play_debrief", None)


def new_game() -> None:
    """Drop the current game and its debrief, back to the start screen."""
    st.session_state.pop(GAME, None)
    st.session_state.pop("play_debrief", None)
    st.session_state[STOPPED] = False


game: Game | None = st.session_state.get(GAME)
if game is not None:
    gex = game.exercise
    st.sidebar.divider()
    st.sidebar.caption(f"In play: **{gex.title or gex.name}** as **{game_ui.role_label(game.roles[0])}**, "
                       f"{game.members} worlds, seed {game.seed}.")
    st.sidebar.button("New game", key="play_new", on_click=new_game, icon=":material/restart_alt:",
                      help="Leave this game and start again with the settings above.")

game_ui.show_flash(key=FLASH)

# -- before the game ------------------------------------------------------------------------------------------
if game is None:
    st.title(ex.title or ex.name)
    if ex.description:
        st.markdown(game_ui.with_claim_tooltips(ex.description), unsafe_allow_html=True)
    st.markdown(f"You play **{game_ui.role_label(role)}** for **{ex.turns} turns** of {ex.turn_months} "
                f"{'month' if ex.turn_months == 1 else 'months'}, "
                f"from {ex.month_label(0)} to {ex.month_label(ex.months - 1)}, in {members:,} worlds (seed {seed}). "
                "Your state holds a posture: the levels of its instruments, standing policies that hold until you "
                "change them. Each turn you make one move (keep the posture, step an instrument up or down, or a "
                "one-off act) in the turn's first month, in every world where it is possible; your posture then "
                "holds for the rest of the turn, while the other states review theirs by the model's rule. At the "
                "end, the debrief compares your play with the model's own play of your state in the same worlds.")
    if ex.situation.strip():
        st.subheader("The situation")
        game_ui.markdown_with_claims(ex.situation, key="play_situation")
    st.subheader(f"Your briefing: {game_ui.role_label(role)}")
    st.caption("Private to your role. Hover a claim id for its quote.")
    with st.container(border=True):
        game_ui.markdown_with_claims(ex.briefing(role), key="play_briefing")
    st.button(f"Start playing {game_ui.role_label(role)}", key="play_start", type="primary", on_click=start,
              icon=":material/play_arrow:")
    st.stop()

# -- the game ----------------------------------------------------------------------------------------------------
gex = game.exercise
me = game.roles[0]
st.title(gex.title or gex.name)
st.markdown(f"You play **{game_ui.role_label(me)}** · {game.members:,} worlds · seed {game.seed}")
stopped = bool(st.session_state.get(STOPPED))


def play(option: str | None, turn: int) -> None:
    """Play ``turn`` with the move ``option`` (None: the model's rule); ignored if that turn is already played.

    A move the game refuses (impossible in every world) is a message, and the turn is not played.
    """
    g: Game = st.session_state[GAME]
    if g.turn != turn:  # a second click on a button of a turn already played
        return
    try:
        g.play(option)
    except PeninsulaError as exc:
        game_ui.flash("error", str(exc), key=FLASH)
        return
    done = ("keep: your posture holds" if option == KEEP else label(option)) if option else "the model's rule"
    game_ui.flash("success", f"Turn {turn + 1}: you played {done}.", key=FLASH)


def play_selected(turn: int) -> None:
    """Play ``turn`` with the move selected in its radio, or flash an error if none is."""
    option = st.session_state.get(f"play_option_{turn}")
    if option is None:
        game_ui.flash("error", "Choose one of your moves first (or let the model decide).", key=FLASH)
        return
    play(option, turn)


def release(turn: int) -> None:
    """Release the inject selected in the instructor panel, if the game is still at ``turn``."""
    g: Game = st.session_state[GAME]
    inject_id = st.session_state.get("play_inject")
    if not inject_id or g.turn != turn:
        return
    try:
        g.release(inject_id)
    except PeninsulaError as exc:
        game_ui.flash("error", str(exc), key=FLASH)
        return
    game_ui.flash("info", f"Released: {gex.inject(inject_id).label}. It takes effect from "
                          f"{gex.month_label(gex.turn_start(g.turn))}.", key=FLASH)


def stop() -> None:
    """Stop the game where it stands (the page then shows the debrief)."""
    st.session_state[STOPPED] = True


if not game.finished and not stopped:
    # the advisor of the exercise in play (its toggle keeps its value while the sidebar shows another exercise)
    view = game.view(advice=gex.advisor and bool(st.session_state.get(f"play_advisor|{gex.name}", True)))
    game_ui.turn_header(view)
    with st.expander("Your briefing and the situation"):
        if gex.situation.strip():
            game_ui.markdown_with_claims(gex.situation, key="play_g_situation", quotes=False)
            st.divider()
        game_ui.markdown_with_claims(gex.briefing(me), key="play_g_briefing")
    results = game.results()
    ens = data.ensemble_from_results(results, gex.name) if game.months_played else None
    game_ui.turn_body(view, ens, key=f"play_t{game.turn}")

    st.subheader(f"Your move for turn {game.turn + 1}: {view.months}")
    options = game.options()
    if view.advice is not None:
        with st.container(border=True):
            game_ui.advice_section(view.advice)
    choice = game_ui.option_radio(options, key=f"play_option_{game.turn}", role=me)
    c1, c2, _ = st.columns([1, 1, 2])
    c1.button(f"Play {label(choice)}" if choice else "Play this move", key="play_turn", type="primary",
              disabled=choice is None, on_click=play_selected, args=(game.turn,), icon=":material/check:",
              width="stretch")
    c2.button("Let the model decide", key="play_model", on_click=play, args=(None, game.turn),
              icon=":material/smart_toy:", width="stretch",
              help="This turn your state plays by the model's rule, world by world.")
    game_ui.options_evidence(options, me)

    releasable = [i for i in gex.injects if i.release and all(r != i.id for r, _ in game.released)]
    if releasable:
        with st.expander("Be your own instructor: release an inject"):
            st.caption("An inject released now takes effect at the start of the turn you are about to play.")
            st.selectbox("Inject", [i.id for i in releasable], key="play_inject",
                         format_func=lambda i: f"{gex.inject(i).label} ({i})")
            st.button("Release it", key="play_release", on_click=release, args=(game.turn,),
                      icon=":material/campaign:")
    if game.turn > 0:
        st.button("Stop here and see the debrief", key="play_stop", on_click=stop, icon=":material/flag:",
                  help="The debrief then covers the turns played so far.")
    st.stop()

# -- the debrief ---------------------------------------------------------------------------------------------------
st.header("Debrief")
if game.turn == 0:
    st.info("No turn was played: there is nothing to debrief.")
    st.stop()
if not game.finished:
    st.caption(f"You stopped after {game.turn} of {game.turns} turns; the debrief covers the turns played.")
cached = st.session_state.get("play_debrief")
if cached is None or cached[0] != (id(game), game.turn):
    with st.spinner("Playing the model's own game in the same worlds…"):
        cached = ((id(game), game.turn), game.debrief())
    st.session_state["play_debrief"] = cached
debrief = cached[1]
game_ui.debrief_section(debrief, [me], key="play_debrief", file_stem=f"{gex.name}-{me}")
st.button("Play again", key="play_again", on_click=new_game, type="primary", icon=":material/restart_alt:")
