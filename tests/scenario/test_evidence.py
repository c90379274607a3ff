"""The evidence behind the model: seeds/evidence.yaml against the seed articles and the code.

DESIGN.md: every instrument, move, interest, red line and default parameter names at least one
claim; each quote stands verbatim in its article; ``used_by`` cannot drift from what cites a
claim. A claim's note says how the model reads the quote and names, in backticks, every element
of the model that cites it (parameters, starting values, instruments, moves, interests, red
lines, status quo, noise), but never a number of the model (the dashboard and ``peninsula
indicators`` show the live values; a number copied into a note can only go stale). A name in a
note that the model does not have (a removed option, a renamed parameter) fails.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from sim.actors import ACTOR_CLASSES
from sim.data import bundled_exercises, bundled_scenarios
from sim.indicators import INDICATORS
from sim.params import PARAMS
from sim.scenario import evidence

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


def test_load_claims_matches_the_file(claims):
    loaded = evidence.load_claims()
    assert list(loaded) == [c["id"] for c in claims]
    for c in claims:
        assert loaded[c["id"]].quote == c["quote"]
        assert loaded[c["id"]].quote in loaded[c["id"]].article()


# --- what cites the claims: the code, the bundled scenarios and exercises

def test_model_citings_cover_every_declaration():
    """Every instrument, move, interest and red line of every actor, every parameter and every
    indicator has its label among the citing elements (so none escapes the checks below)."""
    labels = {c.label for c in evidence.model_citings()}
    want = {f"params.{p}" for p in PARAMS} | {f"initial.{i}" for i in INDICATORS}
    for code, cls in ACTOR_CLASSES.items():
        want |= {evidence.instrument_label(i.indicator) for i in cls.instruments}
        want |= {f"{code}.move.{m.name}" for m in cls.moves}
        want |= {f"{code}.interest.{i.name}" for i in cls.interests}
        want |= {f"{code}.red_line.{r.name}" for r in cls.red_lines}
        want |= {f"{code}.status_quo", f"{code}.unpredictability"}
    assert labels == want, {"missing": sorted(want - labels), "extra": sorted(labels - want)}
    assert any(".red_line." in label for label in labels), "no red line is checked"
    assert any(".instrument." in label for label in labels), "no instrument is checked"


def test_every_model_element_cites_a_claim_or_states_its_assumption():
    """Instruments, moves, interests, red lines, the status quo, parameters and starting values
    cite at least one claim; the noise of an actor may cite none if its assumption says why."""
    bare = [c.label for c in evidence.model_citings()
            if not c.claims and not (c.label.endswith(".unpredictability") and c.assumption)]
    assert not bare, f"cite no claim (and give no assumption where one is allowed): {bare}"


def test_every_claim_cited_by_the_model_exists(claim_ids):
    unknown = {c.label: sorted(set(c.claims) - claim_ids) for c in evidence.model_citings()
               if set(c.claims) - claim_ids}
    assert not unknown, f"cite claims not in evidence.yaml: {unknown}"


def test_every_citation_names_a_claim(claim_ids):
    unknown = {cid: uses for cid, uses in evidence.citations().items() if cid not in claim_ids}
    assert not unknown, f"the model (or a bundled scenario or exercise) cites claims not in evidence.yaml: {unknown}"


_SOURCES = sorted([*(ROOT / "sim" / "actors").glob("*.py"), ROOT / "sim" / "params.py", ROOT / "sim" / "indicators.py",
                   *(ROOT / "sim" / "engine").glob("*.py"), *bundled_scenarios(), *bundled_exercises()])


def test_every_claim_id_in_code_and_scenario_text_exists(claim_ids):
    """Claim ids written in prose (docstrings, assumptions, descriptions, comments) exist too."""
    unknown = {}
    for path in _SOURCES:
        found = set(evidence.CLAIM_ID.findall(path.read_text(encoding="utf-8"))) - claim_ids
        if found:
            unknown[path.relative_to(ROOT).as_posix()] = sorted(found)
    assert not unknown, f"claim ids in the code or the bundled files that evidence.yaml lacks: {unknown}"


def test_every_claim_used_or_context(claims):
    unused = [c["id"] for c in claims if not c["used_by"] and not c.get("context")]
    assert not unused, f"claims neither used nor marked context: true: {unused}"


def test_context_claims_are_not_cited(claims):
    cited = evidence.citations()
    context = [c["id"] for c in claims if c.get("context")]
    wrongly = {cid: cited[cid] for cid in context if cid in cited}
    assert not wrongly, f"claims marked context: true are cited by the model: {wrongly}"


def test_used_by_equals_citations(claims):
    cited = evidence.citations()
    drift = {}
    for c in claims:
        want = cited.get(c["id"], [])
        if sorted(c["used_by"]) != want:
            drift[c["id"]] = {"file": sorted(c["used_by"]), "model": want}
    assert not drift, ("used_by in seeds/evidence.yaml has drifted from what cites each claim; "
                       f"run `python -m sim.scenario.evidence --write`: {drift}")


def test_scenario_expectations_are_users():
    """An expectation that cites a claim is one of its users (the tests the claim backs)."""
    uses = [u for us in evidence.citations().values() for u in us]
    assert any(u.startswith("scenario baseline: expectation ") for u in uses)


# --- notes: how the model reads a quote, in words and names, never in the model's numbers

_IDENTIFIER = re.compile(
    rf"{evidence.CLAIM_ID.pattern}\b"                            # a claim id: s003-4800-shells
    r"|\b[\w-]+\.(?:txt|yaml|yml|py|md|csv|json)\b"               # a file name: 003_b0add6af65230c12.txt
    r"|(?<![\w.])[A-Za-z_]\w*(?:[.-][A-Za-z_]\w*)*"           # a word or name: params.x, RUS-DPRK
)
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_BACKTICKED = re.compile(r"`([^`]+)`")
_CONTEXT_ONLY = re.compile(r"\bcontext only\b", re.IGNORECASE)
_ACTOR_CODES = "|".join(ACTOR_CLASSES)
_PATH = re.compile(rf"(?<![\w.`-])(?:params|initial|world|relations|{_ACTOR_CODES})\.[\w.-]*\w")
_SNAKE = re.compile(r"(?<![\w.`-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


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


def _code_numbers() -> set[float]:
    """The numbers that live in code: parameter defaults, starting values, interest weights, noise,
    the thresholds of moves, the relation effects of moves and instruments, review cadences."""
    nums = {p.default for p in PARAMS.values()} | {i.initial for i in INDICATORS.values()}
    for cls in ACTOR_CLASSES.values():
        nums |= {i.weight for i in cls.interests} | {cls.unpredictability, float(cls.review_months)}
        for m in cls.moves:
            nums |= {abs(d) for d in m.relations.values()}
            if m.requires is not None:
                nums.add(m.requires.minimum)
        for ins in cls.instruments:
            nums |= {abs(d) for d in ins.relations.values()}
    return nums


def _offending_numbers(note: str, quote: str, article: str, code: set[float]) -> list[str]:
    """Numbers of a note that are neither in the claim's quote nor figures of its article that
    differ from every number in code (a figure of the article that code also uses must come from
    the quote itself)."""
    in_quote = {n.replace(",", "") for n in _NUMBER.findall(quote)}
    in_article = {n.replace(",", "") for n in _NUMBER.findall(article)}
    bad = []
    for n in _numbers(note):
        if n in in_quote:
            continue
        if n not in in_article or float(n) in code:
            bad.append(n)
    return list(dict.fromkeys(bad))


def test_number_check_flags_planted_numbers():
    code = {0.25, 4.0}
    quote = "less than 4 million tons"
    article = quote + " ... 24 years, 2000 ..."
    assert _offending_numbers("output under 4 million; since 2000", quote, article, code) == []
    assert _offending_numbers("a step of 0.25; 300,000 a month", quote, article, code) == ["0.25", "300000"]
    assert _offending_numbers("every 24 months", quote, article, code | {24.0}) == ["24"]


def test_notes_carry_no_model_numbers(claims):
    """Every number in a note is a figure of its article, never a number that lives in code."""
    code = _code_numbers()
    offending = []
    for c in claims:
        article = (SEEDS / c["source"]).read_text(encoding="utf-8")
        bad = _offending_numbers(c["note"], c["quote"], article, code)
        if bad:
            offending.append(f"{c['id']}: {', '.join(bad)}")
    assert not offending, (
        "these notes carry numbers that are not figures of their article (or are figures that code "
        "also uses, outside the quote); a note names the parameter, instrument, move, interest or "
        "indicator (whose live value the dashboard shows) instead of copying a model number that can "
        "go stale:\n  " + "\n  ".join(offending))


def _unnamed_users(note: str, used_by: list[str]) -> list[str]:
    """The elements of the model in ``used_by`` that a note does not name in backticks."""
    named = set(_BACKTICKED.findall(note))
    return [u for u in used_by if evidence.is_model_label(u) and not evidence.named_by(u) & named]


def test_unnamed_users_helper():
    used = ["RUS.instrument.food_aid_level", "RUS.move.ship_more_rice", "params.rice_t_per_year",
            "initial.RUS.food_aid_level", "scenario baseline: lever Rice"]
    note = "the instrument `RUS.food_aid_level`, `RUS.move.ship_more_rice`, `params.rice_t_per_year`"
    assert _unnamed_users(note, used) == ["initial.RUS.food_aid_level"]
    assert _unnamed_users(note.replace("`RUS.move.ship_more_rice`", "shipping rice"), used) == \
        ["RUS.move.ship_more_rice", "initial.RUS.food_aid_level"]


def test_every_note_names_every_element_that_cites_it(claims):
    """A note names, in backticks, each parameter, starting value, instrument, move, interest, red
    line, status quo and noise that cites the claim (so the note says how each one uses it); a
    claim used only by scenarios names one of them; a context claim's note says it is context only."""
    missing = []
    scenario_names = {p.stem for p in bundled_scenarios()} | {p.stem for p in bundled_exercises()}
    for c in claims:
        if c.get("context"):
            if not _CONTEXT_ONLY.search(c["note"]):
                missing.append(f"{c['id']}: context: true, but the note does not say 'context only'")
            continue
        if _CONTEXT_ONLY.search(c["note"]):
            missing.append(f"{c['id']}: the note says 'context only', but the claim is not context: true")
        unnamed = _unnamed_users(c["note"], c["used_by"])
        if unnamed:
            missing.append(f"{c['id']}: does not name {unnamed}")
        if not any(evidence.is_model_label(u) for u in c["used_by"]):
            words = set(re.findall(r"\w+", c["note"]))
            if not words & scenario_names:
                missing.append(f"{c['id']}: used only by scenarios or exercises, and names none of them")
    assert not missing, "notes that do not name, in backticks, what in the model uses the claim:\n  " + \
        "\n  ".join(missing)


def _known_words() -> set[str]:
    """Every snake_case word a note may use bare: names of parameters, indicators (the part after
    the actor), instruments, moves, interests, red lines, bundled scenarios and exercises."""
    words = set(PARAMS) | {n.split(".", 1)[1] for n in INDICATORS}
    for cls in ACTOR_CLASSES.values():
        words |= {m.name for m in cls.moves} | {i.name for i in cls.interests} | {r.name for r in cls.red_lines}
    words |= {p.stem for p in bundled_scenarios()} | {p.stem for p in bundled_exercises()}
    return words


def _unknown_names(note: str) -> list[str]:
    """Names in a note that the model does not have: backticked names that are not model names,
    dotted model paths written without backticks that do not exist either, and bare snake_case
    words that name nothing (a removed option such as deploy_troops, a removed parameter)."""
    known = evidence.note_names()
    bad = [n for n in _BACKTICKED.findall(note) if n not in known]
    plain = _BACKTICKED.sub(" ", note)
    bad += [n for n in _PATH.findall(plain) if n not in known]
    words = _known_words()
    bad += [w for w in _SNAKE.findall(plain) if w not in words]
    return list(dict.fromkeys(bad))


def test_name_check_flags_planted_names():
    """The check fails on the names of the old model, backticked or not, and passes v2's names."""
    good = ("`DPRK.move.deploy_more` raises `DPRK.deployment_level`; `CHN.red_line.launches`, "
            "`CHN.instrument.pressure_on_dprk`, `CHN.weights.influence`, `initial.relations.CHN-DPRK`, "
            "`params.posture_step`, `RUS.status_quo`; the china_squeeze scenario; RUS.food_aid_level.")
    assert _unknown_names(good) == []
    planted = ("`DPRK.option.deploy_troops`, `params.programme_persistence`, `CHN.red_line.nukes`, "
               "params.troop_batch, RUS.option.ship_food, and missile_test")
    assert _unknown_names(planted) == ["DPRK.option.deploy_troops", "params.programme_persistence",
                                       "CHN.red_line.nukes", "params.troop_batch", "RUS.option.ship_food",
                                       "missile_test"]


def test_names_in_notes_exist_in_the_model(claims):
    """Every name in a note is a parameter, indicator, instrument, move, interest, red line or actor
    path of the model (or a bundled scenario), so a renamed or removed one cannot linger in a note."""
    unknown = {c["id"]: _unknown_names(c["note"]) for c in claims}
    unknown = {cid: names for cid, names in unknown.items() if names}
    assert not unknown, f"notes name things the model does not have: {unknown}"
