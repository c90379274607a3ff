"""The evidence behind the model: seeds/evidence.yaml against the seed articles and the code.

DESIGN.md: every interest, option and default parameter names at least one claim; each
quote stands verbatim in its article; ``used_by`` cannot drift from what cites a claim.
A claim's note says how the model reads the quote and names, in backticks, what uses it,
but never a number of the model (the dashboard and ``peninsula indicators`` show the live
values; a number copied into a note can only go stale).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from sim.scenario import evidence
from sim.actors import ACTOR_CLASSES
from sim.indicators import INDICATORS
from sim.params import PARAMS

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SHARED_SEEDS = Path("/work/shared/seeds")
EVIDENCE = SEEDS / "evidence.yaml"
ARTICLES = sorted(p.name for p in SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def claims() -> list[dict]:
    data = yaml.safe_load(EVIDENCE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("claims"), list), \
        "seeds/evidence.yaml must be a mapping with a list under 'claims'"
    return data["claims"]


@pytest.fixture(scope="module")
def claim_ids(claims) -> set[str]:
    return {c["id"] for c in claims}


def test_five_seed_articles():
    assert len(ARTICLES) == 5, ARTICLES


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="/work/shared/seeds is not on this machine")
@pytest.mark.parametrize("name", ARTICLES)
def test_seed_file_is_byte_identical_to_shared_copy(name):
    shared = SHARED_SEEDS / name
    assert shared.is_file(), f"{name} is not in {SHARED_SEEDS}"
    assert (SEEDS / name).read_bytes() == shared.read_bytes(), f"seeds/{name} differs from {shared}"


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="/work/shared/seeds is not on this machine")
def test_no_seed_article_missing_from_the_checkout():
    shared = sorted(p.name for p in SHARED_SEEDS.glob("*.txt"))
    assert shared == ARTICLES


def test_at_least_30_claims_covering_every_source(claims):
    assert len(claims) >= 30, f"only {len(claims)} claims"
    sources = Counter(c["source"] for c in claims)
    assert set(sources) == set(ARTICLES), f"sources cited: {dict(sources)}; articles: {ARTICLES}"


def test_every_claim_has_the_fields(claims):
    for c in claims:
        for key in ("id", "source", "quote", "note", "used_by"):
            assert key in c, f"claim {c.get('id', c)} has no {key!r}"
        assert isinstance(c["id"], str) and re.fullmatch(r"s\d{3}-[a-z0-9-]+", c["id"]), c["id"]
        assert isinstance(c["quote"], str) and c["quote"].strip(), f"{c['id']}: empty quote"
        assert isinstance(c["note"], str) and c["note"].strip(), f"{c['id']}: empty note"
        assert isinstance(c["used_by"], list), f"{c['id']}: used_by must be a list"
        assert c["id"][:4] == "s" + c["source"][:3], f"{c['id']}: id prefix does not match source {c['source']}"


def test_claim_ids_unique(claims):
    dup = [k for k, n in Counter(c["id"] for c in claims).items() if n > 1]
    assert not dup, f"duplicate claim ids: {dup}"


def test_every_quote_stands_verbatim_in_its_article(claims):
    missing = []
    for c in claims:
        text = (SEEDS / c["source"]).read_text(encoding="utf-8")
        if c["quote"] not in text:
            missing.append(c["id"])
    assert not missing, f"quotes not found verbatim in their article: {missing}"


def _actor_citations():
    for code, cls in ACTOR_CLASSES.items():
        for opt in cls.options:
            yield f"{code}.option.{opt.name}", opt.claims
        for intr in cls.interests:
            yield f"{code}.interest.{intr.name}", intr.claims
        yield f"{code}.status_quo", cls.status_quo_claims
        yield f"{code}.unpredictability", cls.unpredictability_claims


def _check_cited(items, claim_ids):
    uncited = [what for what, ids in items if not ids]
    unknown = {what: sorted(set(ids) - claim_ids) for what, ids in items if set(ids) - claim_ids}
    assert not uncited, f"cite no claim: {uncited}"
    assert not unknown, f"cite claims not in evidence.yaml: {unknown}"


def test_actors_cite_existing_claims(claim_ids):
    items = list(_actor_citations())
    assert len(items) > 7 * 4
    _check_cited(items, claim_ids)


def test_world_parameters_cite_existing_claims(claim_ids):
    _check_cited([(f"params.{p.name}", p.claims) for p in PARAMS.values()], claim_ids)


def test_indicators_cite_existing_claims(claim_ids):
    _check_cited([(name, ind.claims) for name, ind in INDICATORS.items()], claim_ids)


def test_every_claim_used_or_context(claims):
    unused = [c["id"] for c in claims if not c["used_by"] and not c.get("context")]
    assert not unused, f"claims neither used nor marked context: true: {unused}"


def test_context_claims_are_not_cited(claims):
    cited = evidence.citations()
    context = [c["id"] for c in claims if c.get("context")]
    wrongly = {cid: cited[cid] for cid in context if cid in cited}
    assert not wrongly, f"claims marked context: true are cited by the model: {wrongly}"


def test_every_citation_names_a_claim(claim_ids):
    unknown = {cid: uses for cid, uses in evidence.citations().items() if cid not in claim_ids}
    assert not unknown, f"the model (or a bundled scenario) cites claims not in evidence.yaml: {unknown}"


def test_used_by_equals_citations(claims):
    cited = evidence.citations()
    drift = {}
    for c in claims:
        want = cited.get(c["id"], [])
        if sorted(c["used_by"]) != want:
            drift[c["id"]] = {"file": sorted(c["used_by"]), "model": want}
    assert not drift, ("used_by in seeds/evidence.yaml has drifted from what cites each claim; "
                       f"run `python -m sim.scenario.evidence --write`: {drift}")


def test_load_claims_matches_the_file(claims):
    loaded = evidence.load_claims()
    assert list(loaded) == [c["id"] for c in claims]
    for c in claims:
        assert loaded[c["id"]].quote == c["quote"]
        assert loaded[c["id"]].quote in loaded[c["id"]].article()


# --- notes: how the model reads a quote, in words and names, never in the model's numbers

_CLAIM_ID = r"s\d{3}-[a-z0-9-]*[a-z0-9]"
_IDENTIFIER = re.compile(
    rf"\b{_CLAIM_ID}\b"                                          # a claim id: s003-4800-shells
    r"|\b[\w-]+\.(?:txt|yaml|yml|py|md|csv|json)\b"               # a file name: 003_b0add6af65230c12.txt
    r"|(?<![\w.])[A-Za-z_]\w*(?:[.-][A-Za-z_]\w*)*"           # a word or name: params.x, RUS-DPRK
)
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_BACKTICKED = re.compile(r"`([^`]+)`")
_CONTEXT_ONLY = re.compile(r"\bcontext only\b", re.IGNORECASE)


def _numbers(text: str) -> list[str]:
    """The numbers in a text outside identifiers (claim ids, file names, dotted, underscored or
    hyphenated names), thousands separators removed: "4,800" -> "4800"."""
    def blank(m):
        word = m.group(0)
        return " " * len(word) if any(ch in word for ch in "._-") else word
    return [n.replace(",", "") for n in _NUMBER.findall(_IDENTIFIER.sub(blank, text))]


def test_numbers_helper_skips_identifiers_only():
    assert _numbers("s003-4800-shells, 003_b0add6af65230c12.txt, `params.x2`, `DPRK.troops_abroad`") == []
    assert _numbers("about 4,800 shells, weight 3, 0.002 noise, $5.5 bn, 40%, 2023") == \
        ["4800", "3", "0.002", "5.5", "40", "2023"]
    assert _numbers("G7, 5bn, mid-2023, x2") == ["7", "5", "2023", "2"]


def _model_paths() -> set[str]:
    """Every name a note may put in backticks: the paths of the model's parameters, starting
    values, indicators, actors' options, interests, weights and noise, and bare option and
    interest names (the option `missile_test` of the DPRK)."""
    paths = {f"params.{name}" for name in PARAMS}
    paths |= set(INDICATORS) | {f"initial.{name}" for name in INDICATORS}
    for code, cls in ACTOR_CLASSES.items():
        paths |= {f"{code}.unpredictability", f"{code}.status_quo"}
        for opt in cls.options:
            paths |= {f"{code}.option.{opt.name}", opt.name}
        for intr in cls.interests:
            paths |= {f"{code}.interest.{intr.name}", f"{code}.weights.{intr.name}", intr.name}
    return paths


def test_notes_carry_no_model_numbers(claims):
    """Every number in a note is a figure of the article (in the quote or the article's text)."""
    offending = []
    for c in claims:
        article = (SEEDS / c["source"]).read_text(encoding="utf-8")
        allowed = {n.replace(",", "") for n in _NUMBER.findall(c["quote"] + "\n" + article)}
        bad = [n for n in _numbers(c["note"]) if n not in allowed]
        if bad:
            offending.append(f"{c['id']}: {', '.join(dict.fromkeys(bad))}")
    assert not offending, (
        "these notes carry numbers that are not figures of their article; a note names the parameter, "
        "option, interest or indicator (whose live value the dashboard shows) instead of copying a "
        "model number that can go stale:\n  " + "\n  ".join(offending))


def test_every_note_names_what_uses_it_or_says_context_only(claims):
    """A used claim's note names at least one of the things in its used_by, in backticks;
    a context claim's note says it is context only."""
    missing = []
    for c in claims:
        named = set(_BACKTICKED.findall(c["note"]))
        if c.get("context"):
            if not _CONTEXT_ONLY.search(c["note"]):
                missing.append(f"{c['id']} (context: true, but the note does not say 'context only')")
            continue
        if _CONTEXT_ONLY.search(c["note"]):
            missing.append(f"{c['id']} (the note says 'context only', but the claim is not context: true)")
        uses = set(c["used_by"])
        if not any(n in uses or f"initial.{n}" in uses for n in named):
            missing.append(f"{c['id']} (names none of {sorted(uses)})")
    assert not missing, "notes that do not name, in backticks, what in the model uses the claim:\n  " + \
        "\n  ".join(missing)


def test_names_in_notes_exist_in_the_model(claims):
    """Every backticked name in a note is a parameter, indicator, option, interest or actor path
    of the model, so a renamed or removed one cannot linger in a note."""
    known = _model_paths()
    unknown = {c["id"]: sorted(set(_BACKTICKED.findall(c["note"])) - known) for c in claims}
    unknown = {cid: names for cid, names in unknown.items() if names}
    assert not unknown, f"notes name things the model does not have: {unknown}"
