"""Evidence: the five source articles with the model's claims marked, and what each claim backs."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from dashboard import charts, evidence, story
from sim.actors import ACTOR_CLASSES
from sim.indicators import ACTOR_NAMES, format_value
from sim.scenario.evidence import assumptions, load_claims

st.title("Evidence")
st.caption("Every interest, instrument, move, red line and default parameter of the model cites claims: verbatim "
           "quotes from the "
           "source articles in seeds/, listed in seeds/evidence.yaml with what in the model uses them.")

claims = load_claims()
articles = evidence.articles()
assumed = assumptions()
tab_articles, tab_actors, tab_assumptions = st.tabs(["Articles and claims", "Actors: interests, postures and moves",
                                                     f"Assumptions ({len(assumed)})"])

with tab_articles:
    source = st.selectbox("Article", list(articles), key="evidence_article", persist_state="session",
                          format_func=lambda s: f"{s[:3]} — {articles[s].title}")
    art = articles[source]
    mine = [c for c in claims.values() if c.source == source]
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**{html.escape(art.title)}**  \n`seeds/{source}`: {len(mine)} claims marked")
        with st.container(height=640):
            st.html(evidence.marked_html(art.text, mine))
    with right:
        st.markdown("**Claims in this article**")
        with st.container(height=640):
            for c in mine:
                st.markdown(f"<span id='claim-{c.id}'></span>**`{c.id}`**" + (" · context" if c.context else "")
                            + f"\n\n> {c.quote}", unsafe_allow_html=True)
                if c.note:
                    st.caption(c.note)
                if c.used_by:
                    st.markdown("Used by: " + ", ".join(f"`{u}`" for u in c.used_by))
                else:
                    st.markdown("Used by: _nothing in the model (context only)_")
                st.divider()

with tab_actors:
    st.caption("Each actor holds a posture: the levels of its instruments, standing policies from 0 to 1 that hold "
               "until it changes them. It reviews its posture every few months (at once when an event or one of its "
               "red lines fires) and makes the move that best serves its interests (weighted) over the months "
               "ahead, with some unpredictability: keep the posture, step an instrument up or down, or a one-off "
               "act. Hover a claim id for its quote.")
    for code, cls in ACTOR_CLASSES.items():
        colour = charts.ACTOR_COLOURS[code]
        with st.expander(f"{ACTOR_NAMES[code]} ({code})", expanded=code == "DPRK"):
            review = (f"Reviews its posture every {cls.review_months} "
                      f"{'month' if cls.review_months == 1 else 'months'}"
                      + (f" ({html.escape(cls.review_assumption)})" if cls.review_assumption else "") + ".")
            st.markdown(f"<b style='color:{colour}'>{html.escape(ACTOR_NAMES[code])}</b> — "
                        f"{html.escape((cls.__doc__ or '').strip())} {review} Unpredictability "
                        f"{cls.unpredictability:g} ({evidence.tags(cls.unpredictability_claims)}).",
                        unsafe_allow_html=True)
            a, b = st.columns(2)
            a.markdown("**Interests** (default weight)\n\n" + "\n".join(
                f"- **{story.words(i.name)}** ({i.weight:g}): {html.escape(i.description)} "
                f"— {evidence.tags(i.claims)}" for i in cls.interests), unsafe_allow_html=True)
            b.markdown("**Instruments** (its posture)\n\n" + ("\n".join(
                f"- **{html.escape(evidence.instrument_label(i))}** (`{i.indicator}`, {i.low:g} to {i.high:g}): "
                f"{html.escape(i.description)}{evidence.relations_text(i.relations, per_level=True)} "
                f"— {evidence.tags(i.claims)}" for i in cls.instruments) or "_None._"), unsafe_allow_html=True)
            if cls.red_lines:
                b.markdown("**Red lines**\n\n" + "\n".join(
                    f"- **{story.words(r.name)}**: {html.escape(r.description)} — {evidence.tags(r.claims)}"
                    for r in cls.red_lines), unsafe_allow_html=True)
            st.markdown(f"**Moves** ({len(cls.options)})\n\n" + "\n".join(
                f"- **{story.words(o.name)}** · <i>{html.escape(evidence.move_nature(o))}</i>"
                + (f" · <i>needs {html.escape(evidence.requirement_text(o.requires))}</i>" if o.requires else "")
                + f": {html.escape(o.description)}{evidence.relations_text(o.relations)} — {evidence.tags(o.claims)}"
                for o in cls.options), unsafe_allow_html=True)

with tab_assumptions:
    st.caption("The numbers of the model that no article gives: each default below is the model's own choice, "
               "with the reasoning for it. The values are the live defaults from the code (a scenario may set "
               "others); the claims back the mechanism, not the number.")
    st.dataframe(pd.DataFrame([{"path": a.path,
                                "default": "" if a.value is None else format_value(a.value, a.unit),
                                "reasoning": a.reasoning, "claims": ", ".join(a.claims)} for a in assumed]),
                 hide_index=True, key="evidence_assumptions",
                 column_config={"reasoning": st.column_config.TextColumn(width="large")})

st.divider()
st.download_button(
    "Claims (CSV)", on_click="ignore", icon=":material/download:", key="evidence_csv", mime="text/csv",
    file_name="peninsula-claims.csv", help="Every claim: id, article, quote, how the model reads it, what uses it.",
    data=lambda: pd.DataFrame([{"id": c.id, "source": c.source, "quote": c.quote, "note": c.note,
                                "context": c.context, "used_by": "; ".join(c.used_by)}
                               for c in claims.values()]).to_csv(index=False).encode())
