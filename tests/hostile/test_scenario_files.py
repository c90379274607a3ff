"""Hostile scenario files: whatever a file holds, the loader answers with a Scenario or one
clear ScenarioError (the file, the line, the field, what was expected), and the command line
with exit code 2, no traceback and nothing written.

One section per case of the hardening issue: recursion and nesting, the wrong type where a
list belongs (with ``extends`` too), duplicate keys, booleans for numbers, values too large
to stay finite, names that would escape ``runs/``, files that are too large or not files, what
uploaded text may extend, and a child narrowing its parent's levers.
"""

from __future__ import annotations

import math
import os
import threading
import time
import traceback
from pathlib import Path

import numpy as np
import pytest
import yaml

import sim
from sim.cli.main import main
from sim.data import SCENARIO_DIR
from sim.indicators import INDICATORS
from sim.scenario import MAX_FILE_BYTES

SHORT = "months: 2\nmembers: 2\n"


# ---------------------------------------------------------------------------------------------
# helpers


def cli(capsys, *argv) -> tuple[object, str, str]:
    """Run the command in-process: (exit code or what it raised, stdout, stderr + any traceback)."""
    tb = ""
    try:
        code: object = main([str(a) for a in argv])
    except BaseException as exc:  # noqa: BLE001 - an escaping exception is what these tests look for
        code = f"raised {type(exc).__name__}"
        tb = traceback.format_exc()
    captured = capsys.readouterr()
    return code, captured.out, captured.err + tb


def one_paragraph(exc: sim.ScenarioError, file: str) -> str:
    msg = str(exc)
    assert msg.strip(), "empty message"
    assert "\n" not in msg and "\r" not in msg, f"not one paragraph: {msg!r}"
    assert "\x1b" not in msg, f"an escape byte reaches the terminal: {msg!r}"
    assert "Traceback" not in msg
    assert file in msg, f"the message does not name {file}: {msg}"
    return msg


def refused(path: Path, capsys, tmp_path: Path, monkeypatch, words: tuple[str, ...] = (),
            field: str | None = None, line: int | None = None) -> sim.ScenarioError:
    """The file is refused by the loader, ``peninsula validate`` and ``peninsula run``; nothing written."""
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    exc = info.value
    msg = one_paragraph(exc, str(path))
    for w in words:  # in the message itself (the file's path holds the test's name)
        assert w in exc.message, f"the message does not say {w!r}: {msg}"
    if field is not None:
        assert exc.field == field, msg
    if line is not None:
        assert exc.line == line, msg
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    monkeypatch.chdir(cwd)
    before = set(cwd.rglob("*"))
    code, _, err = cli(capsys, "validate", path)
    assert code == 2 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, f"not one paragraph: {err!r}"
    out = tmp_path / "out"
    code, _, err = cli(capsys, "run", path, "--members", 2)
    assert code == 2 and "Traceback" not in err, err
    code, _, err = cli(capsys, "run", path, "--members", 2, "--out", out)
    assert code == 2 and "Traceback" not in err, err
    assert not out.exists(), "a refused scenario wrote output"
    assert set(cwd.rglob("*")) == before, "a refused scenario wrote output under runs/"
    return exc


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# 1. recursion and nesting


@pytest.mark.parametrize("text", [
    "a: &x [*x]\n",
    "months: &x [1, *x]\n",
    "params: &x {a: *x}\n",
    "levers: &x [{path: *x}]\n",
], ids=["list", "months", "mapping", "lever"])
def test_recursive_alias_is_a_clear_error(tmp_path, capsys, monkeypatch, text):
    path = write(tmp_path, text)
    refused(path, capsys, tmp_path, monkeypatch, words=("alias",), line=1)


@pytest.mark.parametrize("depth", [100, 50_000])
def test_deep_nesting_is_capped(tmp_path, capsys, monkeypatch, depth):
    from sim.scenario.files import MAX_DEPTH

    path = write(tmp_path, "months: " + "[" * depth + "]" * depth + "\n")
    refused(path, capsys, tmp_path, monkeypatch, words=("nested", f"{MAX_DEPTH}"), line=1)


def test_nesting_cap_is_a_documented_constant(tmp_path):
    from sim.scenario import files

    assert 16 <= files.MAX_DEPTH <= 256  # deep enough for any real scenario, far below Python's recursion limit
    source = Path(files.__file__).read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(source) if line.startswith("MAX_DEPTH ="))
    assert source[at + 1].startswith('"""'), "MAX_DEPTH has no docstring"
    # just inside the cap: the nesting is not the problem (the field's type is)
    inside = files.MAX_DEPTH - 2
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(write(tmp_path, "months: " + "[" * inside + "]" * inside + "\n"))
    assert "nested" not in info.value.message and info.value.field == "months"


def test_deep_nesting_through_aliases_is_capped(tmp_path, capsys, monkeypatch):
    """Each alias adds a level without adding brackets: the cap holds for the structure, not the text."""
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 400)] + ["months: *a399"]
    path = write(tmp_path, "\n".join(lines) + "\n")
    refused(path, capsys, tmp_path, monkeypatch, words=("nested",))


def test_deep_nesting_in_uploaded_text():
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario_text("a: " + "{b: " * 30_000 + "1" + "}" * 30_000 + "\n", "deep.yaml")
    one_paragraph(info.value, "deep.yaml")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario_text("a: &x [*x]\n", "alias.yaml")
    one_paragraph(info.value, "alias.yaml")


# ---------------------------------------------------------------------------------------------
# 2. a scalar where a list belongs, with and without extends


@pytest.mark.parametrize("group", ["levers", "uncertainties", "events", "scripted", "expectations"])
@pytest.mark.parametrize("extends", [False, True], ids=["alone", "extends"])
def test_scalar_where_a_list_belongs(tmp_path, capsys, monkeypatch, group, extends):
    text = ("extends: baseline\n" if extends else "") + SHORT + f"{group}: 5\n"
    path = write(tmp_path, text)
    refused(path, capsys, tmp_path, monkeypatch, words=("list", "5"), field=group, line=3 + extends)


def test_scalar_lever_list_in_the_parent(tmp_path, capsys, monkeypatch):
    write(tmp_path, SHORT + "levers: 5\n", "parent.yaml")
    child = write(tmp_path, "extends: parent\nlevers: [{path: params.cash_share, label: c, min: 0, max: 1}]\n",
                  "child.yaml")
    exc = refused(child, capsys, tmp_path, monkeypatch)
    assert exc.file == str((tmp_path / "parent.yaml").resolve()) or "parent.yaml" in str(exc)


@pytest.mark.parametrize("value", [5, "x", None, True, 1.5, [5], [[1]], [None], {"path": "x"}, [{"path": [1, 2]}],
                                   [{"path": {"a": 1}}], [{"path": None}], {}],
                         ids=lambda v: repr(v)[:20])
@pytest.mark.parametrize("group", ["levers", "uncertainties"])
def test_any_value_in_a_merged_group_is_a_clear_error(tmp_path, group, value):
    """Whatever the child gives for levers or uncertainties, the merge with the parent's
    does not fail: the schema says what is wrong (or the file loads)."""
    path = write(tmp_path, yaml.safe_dump({"extends": "baseline", "months": 6, group: value}))
    try:
        sim.load_scenario(path)
    except sim.ScenarioError as exc:
        one_paragraph(exc, str(path))


FIELDS = ["name", "title", "description", "start", "months", "seed", "members", "params", "actors", "initial",
          "relations", "events", "scripted", "levers", "uncertainties", "expectations", "extends"]


@pytest.mark.parametrize("field", FIELDS)
def test_any_type_in_any_field_of_a_child(tmp_path, field):
    """Every field of a file that extends the baseline, given a value of every YAML type."""
    for i, value in enumerate([5, "x", None, True, 2.5, [], [5], [{"a": 1}], {}, {"a": 1}, {"a": [1]}]):
        path = write(tmp_path, yaml.safe_dump({"extends": "baseline", "months": 6, field: value}), f"c{i}.yaml")
        try:
            sc = sim.load_scenario(path)
        except sim.ScenarioError as exc:
            one_paragraph(exc, str(path))
        else:
            sim.Setup.build(sc, 1, 0)


# ---------------------------------------------------------------------------------------------
# 3. duplicate keys


def test_duplicate_top_level_key(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "name: dup\nstart: 2024-06\nmonths: 12\nmembers: 2\nseed: 1\n# a comment\nmonths: 2\n")
    refused(path, capsys, tmp_path, monkeypatch, words=("key 'months' appears twice: lines 3 and 7",),
            field="months", line=7)


@pytest.mark.parametrize("text, field, key, lines", [
    ("months: 2\nparams:\n  cash_share: 0.5\n  war_intensity_target: 0.2\n  cash_share: 0.9\n",
     "params.cash_share", "cash_share", (3, 5)),
    ("months: 2\nparams: {cash_share: 0.5,\n  cash_share: 0.6}\n", "params.cash_share", "cash_share", (2, 3)),
    ("months: 2\nevents:\n  - month: 2024-07\n    set: {world.war_intensity: 0.3}\n    month: 2024-06\n",
     "events[0].month", "month", (3, 5)),
    ("months: 2\n'months': 3\n", "months", "months", (1, 2)),
], ids=["nested", "flow", "in-a-list", "quoted"])
def test_duplicate_keys_anywhere(tmp_path, capsys, monkeypatch, text, field, key, lines):
    path = write(tmp_path, text)
    refused(path, capsys, tmp_path, monkeypatch,
            words=(f"key '{key}' appears twice: lines {lines[0]} and {lines[1]}",), field=field, line=lines[1])


def test_duplicate_keys_in_uploaded_text():
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario_text("seed: 1\nseed: 2\n", "up.yaml")
    assert "appears twice" in one_paragraph(info.value, "up.yaml")


# ---------------------------------------------------------------------------------------------
# 4. booleans are not numbers


@pytest.mark.parametrize("text, field", [
    ("params: {cash_share: true}\n", "params.cash_share"),
    ("initial: {DPRK.food_security: false}\n", "initial.DPRK.food_security"),
    ("relations: {RUS-DPRK: true}\n", "relations.RUS-DPRK"),
    ("actors: {CHN: {unpredictability: true}}\n", "actors.CHN.unpredictability"),
    ("actors: {CHN: {weights: {buffer: yes}}}\n", "actors.CHN.weights.buffer"),
    ("events: [{month: 2024-07, set: {world.war_intensity: true}}]\n", "events[0].set.world.war_intensity"),
    ("events: [{month: 2024-07, shift: {params.cash_share: true}}]\n", "events[0].shift.params.cash_share"),
    ("levers: [{path: params.cash_share, label: c, min: false, max: 1}]\n", "levers[0].min"),
    ("levers: [{path: params.cash_share, label: c, min: 0, max: 1, step: true}]\n", "levers[0].step"),
    ("uncertainties: [{path: params.cash_share, dist: uniform, low: false, high: 1}]\n", "uncertainties[0].low"),
    ("uncertainties: [{path: params.cash_share, dist: choice, values: [0.1, true]}]\n", "uncertainties[0].values[1]"),
    ("expectations: [{says: s, test: below, indicator: RUS.munitions_shortfall, value: true}]\n",
     "expectations[0].value"),
    ("expectations: [{says: s, test: rises, indicator: RUS.munitions_shortfall, share: true}]\n",
     "expectations[0].share"),
])
def test_booleans_are_not_numbers(tmp_path, capsys, monkeypatch, text, field):
    path = write(tmp_path, SHORT + text)
    refused(path, capsys, tmp_path, monkeypatch, words=("number", "boolean"), field=field, line=3)


def test_whole_numbers_are_numbers(tmp_path):
    sc = sim.load_scenario(write(tmp_path, SHORT + (
        "params: {rice_t_per_year: 650000, cash_share: 1}\n"
        "initial: {DPRK.hard_currency_usd: 2000000000}\n"
        "relations: {RUS-DPRK: 1}\n"
        "actors: {CHN: {unpredictability: 0, weights: {buffer: 3}}}\n"
        "levers: [{path: params.shell_price_usd, label: p, min: 200, max: 3000, step: 100, value: 1000}]\n"
        "uncertainties: [{path: params.grain_production_t, dist: choice, values: [3600000, 4000000]}]\n")))
    assert sc.months == 2 and sc.params["rice_t_per_year"] == 650000.0
    assert sc.levers[0].value == 1000.0 and sc.actors["CHN"].unpredictability == 0.0


# ---------------------------------------------------------------------------------------------
# 5. every value has a finite range; a run that goes non-finite stops


@pytest.mark.parametrize("text, field", [
    ("initial: {DPRK.hard_currency_usd: 1.0e+300}\n", "initial.DPRK.hard_currency_usd"),
    ("initial: {DPRK.hard_currency_usd: 1e300}\n", "initial.DPRK.hard_currency_usd"),
    ("initial: {USA.regional_troops: 1.0e+30}\n", "initial.USA.regional_troops"),
    ("events: [{month: 2024-07, set: {RUS.payments_to_dprk_usd: 1.0e+300}}]\n",
     "events[0].set.RUS.payments_to_dprk_usd"),
    ("events: [{month: 2024-07, shift: {DPRK.hard_currency_usd: 1.0e+300}}]\n",
     "events[0].shift.DPRK.hard_currency_usd"),
    ("levers: [{path: initial.DPRK.hard_currency_usd, label: c, min: 0, max: 1.0e+300}]\n", "levers[0]"),
    ("uncertainties: [{path: initial.DPRK.troops_abroad, dist: normal, mean: 0, sd: 1.0e+300}]\n",
     "uncertainties[0]"),
], ids=["initial", "initial-string", "troops", "event-set", "event-shift", "lever", "uncertainty"])
def test_huge_values_are_refused(tmp_path, capsys, monkeypatch, text, field):
    path = write(tmp_path, SHORT + text)
    refused(path, capsys, tmp_path, monkeypatch, field=field, line=3)


def test_huge_setting_is_refused(baseline):
    with pytest.raises(sim.ScenarioError) as info:
        sim.with_settings(baseline, {"initial.DPRK.hard_currency_usd": 1e300})
    assert "initial.DPRK.hard_currency_usd" in str(info.value)


def test_every_unbounded_value_has_a_finite_cap_that_runs():
    from sim.scenario.paths import path_range

    caps = {}
    for name, ind in INDICATORS.items():
        lo, hi = path_range(f"initial.{name}")
        assert lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi), name
        if ind.high is None:
            caps[name] = hi
    assert caps["DPRK.hard_currency_usd"] == 1e15
    sc = sim.load_scenario_text(yaml.safe_dump({"extends": "baseline", "months": 24, "initial": caps}), "caps.yaml")
    res = sim.run(sc, members=3, seed=1)
    assert np.isfinite(res.history).all()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_run_that_goes_non_finite_stops(baseline):
    """Past the checks (a Scenario built without the loader), a non-finite value stops the run
    with the indicator and the month named, and nothing is returned to save."""
    data = baseline.to_dict()
    data["initial"]["DPRK.hard_currency_usd"] = 1e300  # float32: inf, then nan
    data["months"] = 6
    sc = sim.Scenario.model_validate(data)
    with pytest.raises(sim.PeninsulaError) as info:
        sim.run(sc, members=3, seed=1)
    msg = str(info.value)
    assert "\n" not in msg and "DPRK.hard_currency_usd" in msg and sc.dates()[0] in msg, msg  # the first month


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_non_finite_check_names_a_later_month(baseline, monkeypatch):
    """A value that goes non-finite mid-run is reported at the month it first appears."""
    from sim.engine import model as model_mod
    from sim.indicators import NAMES

    real_record = model_mod.PeninsulaModel._record

    def poisoned(self, t):
        real_record(self, t)
        if t == 3:
            self.history[t, 0, 1] = np.nan

    monkeypatch.setattr(model_mod.PeninsulaModel, "_record", poisoned)
    sc = baseline.model_copy(update={"months": 6})
    with pytest.raises(sim.PeninsulaError) as info:
        sim.run(sc, members=3, seed=1)
    msg = str(info.value)
    assert NAMES[0] in msg and sc.dates()[3] in msg and "\n" not in msg, msg  # month 3, not the first


# ---------------------------------------------------------------------------------------------
# 6. names


@pytest.mark.parametrize("name", ["/tmp/peninsula-escape", "../escaped", "a\x1b[31mred", "two\nlines", "x" * 300,
                                  "My Name", "", "runs/x", ".", "..", "CAPS"],
                         ids=["absolute", "dotdot", "esc", "newline", "long", "space", "empty", "slash", "dot",
                              "dotdot-only", "caps"])
def test_bad_explicit_names_are_refused(tmp_path, capsys, monkeypatch, name):
    if name.startswith("/tmp/"):
        name = str(tmp_path / "escaped-abs")
    path = write(tmp_path, yaml.safe_dump({"name": name, "months": 2, "members": 2}, sort_keys=False))
    refused(path, capsys, tmp_path, monkeypatch, words=("[a-z0-9_-]{1,64}",), field="name", line=1)
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "escaped-abs").exists()


@pytest.mark.parametrize("stem, expected", [
    ("My Scenario", "my_scenario"), ("Ceasefire (v2)", "ceasefire__v2_"), ("x" * 200, "x" * 64),
    ("café", "caf_"), ("ok-name_1", "ok-name_1"),
])
def test_default_name_from_the_file_stem_is_normalised(tmp_path, stem, expected):
    sc = sim.load_scenario(write(tmp_path, SHORT, f"{stem}.yaml"))
    assert sc.name == expected
    sc = sim.load_scenario_text(SHORT, f"{stem}.yaml")
    assert sc.name == expected


def test_run_of_a_file_with_spaces_writes_under_runs(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, SHORT, "My Scenario.yaml")
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, "run", path, "--members", 2)
    assert code == 0, err
    assert (tmp_path / "runs" / "my_scenario" / "manifest.json").is_file()


# ---------------------------------------------------------------------------------------------
# 7. size and file type before reading


def _in_thread(fn, timeout=10.0):
    box: dict = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    return t.is_alive(), box


def _unblock(fifo: Path) -> None:
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return
    os.close(fd)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_hanging(tmp_path, capsys):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    try:
        hung, box = _in_thread(lambda: sim.load_scenario(fifo), timeout=5)
        assert not hung, "loading a FIFO hangs"
        assert isinstance(box.get("error"), sim.ScenarioError), box
        assert "regular file" in one_paragraph(box["error"], str(fifo))
        hung, box = _in_thread(lambda: cli(capsys, "validate", fifo), timeout=5)
        assert not hung, "peninsula validate hangs on a FIFO"
        code, _, err = box["value"]
        assert code == 2 and "Traceback" not in err and "regular file" in err, err
    finally:
        for _ in range(4):
            _unblock(fifo)


def test_device_is_refused():
    if not Path("/dev/null").exists():
        pytest.skip("no /dev/null")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario("/dev/null")
    assert "regular file" in one_paragraph(info.value, "/dev/null")


def test_large_file_is_refused_before_it_is_parsed(tmp_path, capsys, monkeypatch):
    """The size is checked before anything is read or parsed, by the loader and by validate."""
    path = tmp_path / "big.yaml"
    with path.open("w", encoding="utf-8") as f:
        f.write("months: 12\n")
        line = "# " + "x" * 98 + "\n"
        f.write(line * 200_000)  # 20 MB of comments: seconds of YAML parsing
    parsed: list[int] = []
    real_init = yaml.reader.Reader.__init__

    def spy(self, stream):
        parsed.append(len(stream) if hasattr(stream, "__len__") else -1)
        real_init(self, stream)

    monkeypatch.setattr(yaml.reader.Reader, "__init__", spy)
    t0 = time.perf_counter()
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    assert f"{MAX_FILE_BYTES:,}" in one_paragraph(info.value, str(path))
    code, _, err = cli(capsys, "validate", path)
    took = time.perf_counter() - t0
    assert code == 2 and "Traceback" not in err and f"{MAX_FILE_BYTES:,}" in err, err
    assert not parsed, f"a {max(parsed):,}-character file was given to the YAML parser"
    assert took < 3, f"refusing a large file took {took:.1f} s"


def test_reads_at_most_one_byte_past_the_limit(tmp_path, monkeypatch):
    """A file that grew after its size was checked is still read only up to the limit + 1 byte."""
    from sim.scenario import files

    path = write(tmp_path, "months: 12\n" + "#" * (3 * MAX_FILE_BYTES) + "\n")
    real_stat, real_fstat, real_read = os.stat, os.fstat, os.read

    class Small:
        """A stat result that says the file is 100 bytes (it was, when it was checked)."""

        def __init__(self, st):
            self._st = st

        def __getattr__(self, key):
            return 100 if key == "st_size" else getattr(self._st, key)

    read: list[int] = []

    def counting_read(fd, n):
        data = real_read(fd, n)
        read.append(len(data))
        return data

    monkeypatch.setattr(os, "stat", lambda *a, **k: Small(real_stat(*a, **k)))
    monkeypatch.setattr(os, "fstat", lambda fd: Small(real_fstat(fd)))
    monkeypatch.setattr(os, "read", counting_read)
    try:
        files.read_file(path)
    except sim.ScenarioError as exc:
        error = str(exc)
    else:
        error = ""
    monkeypatch.undo()
    assert f"{MAX_FILE_BYTES:,}" in error, error or "the grown file was read whole and loaded"
    assert sum(read) <= MAX_FILE_BYTES + 1, f"read {sum(read):,} bytes"


# ---------------------------------------------------------------------------------------------
# 8. what uploaded text may extend


@pytest.fixture
def secret(tmp_path) -> Path:
    p = tmp_path / "private" / "secret.yaml"
    p.parent.mkdir()
    p.write_text("months: 12\nsecret_key_xyz: hunter2\n", encoding="utf-8")
    return p


def _upload_error(text: str, **kw) -> str:
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario_text(text, "upload.yaml", **kw)
    return one_paragraph(info.value, "upload.yaml")


@pytest.mark.parametrize("form", ["absolute", "relative", "absolute-no-suffix"])
def test_uploaded_text_cannot_extend_a_path(secret, tmp_path, form):
    base = tmp_path / "base"
    base.mkdir()
    target = {"absolute": str(secret), "relative": "../private/secret.yaml",
              "absolute-no-suffix": str(secret.with_suffix(""))}[form]
    missing = target.replace("secret", "nothing")
    kw = {"base_dir": base} if form == "relative" else {}
    msg = _upload_error(f"extends: {target}\n", **kw)
    assert "secret_key_xyz" not in msg and "hunter2" not in msg, msg
    assert "bundled" in msg, msg
    # the same answer whether or not the target exists
    assert msg.replace(target, "T") == _upload_error(f"extends: {missing}\n", **kw).replace(missing, "T")


def test_uploaded_text_cannot_compare_with_a_path(secret):
    text = (f"months: 12\nexpectations:\n  - says: s\n    test: lower_than\n    indicator: DPRK.food_security\n"
            f"    than: {secret}\n")
    msg = _upload_error(text)
    assert "secret_key_xyz" not in msg and "bundled" in msg, msg


def test_uploaded_text_extends_a_bundled_scenario_by_name(tmp_path):
    sc = sim.load_scenario_text("extends: baseline\nmonths: 12\n", "up.yaml")
    assert sc.months == 12 and sc.params["grain_production_t"] == 4.0e6
    sc = sim.load_scenario_text("extends: ceasefire\nmonths: 12\n", "up.yaml", base_dir=SCENARIO_DIR)
    assert sc.months == 12
    msg = _upload_error("extends: nowhere_to_be_found\n")
    assert "baseline" in msg  # it lists what may be extended


def test_uploaded_text_may_extend_a_path_when_asked(secret):
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario_text(f"extends: {secret}\n", "upload.yaml", bundled_only=False)
    assert "secret_key_xyz" in str(info.value)  # the trusted caller's own file, its own error


def test_files_on_disk_still_extend_by_relative_path(tmp_path):
    (tmp_path / "lib").mkdir()
    write(tmp_path / "lib", "extends: baseline\nmonths: 12\n", "mid.yaml")
    sc = sim.load_scenario(write(tmp_path, "extends: lib/mid.yaml\nseed: 9\n", "leaf.yaml"))
    assert sc.months == 12 and sc.seed == 9


# ---------------------------------------------------------------------------------------------
# 9. extends merges a lever or uncertainty field by field


def test_child_narrows_a_lever(tmp_path, baseline):
    sc = sim.load_scenario(write(tmp_path, "extends: baseline\nlevers: [{path: params.shell_price_usd, max: 1500}]\n"))
    parent = next(lv for lv in baseline.levers if lv.path == "params.shell_price_usd")
    lever = next(lv for lv in sc.levers if lv.path == "params.shell_price_usd")
    assert lever.max == 1500 and lever.min == parent.min and lever.label == parent.label
    assert lever.step == parent.step and lever.claims == parent.claims
    assert [lv.path for lv in sc.levers] == [lv.path for lv in baseline.levers]  # order kept


def test_child_narrows_an_uncertainty(tmp_path, baseline):
    sc = sim.load_scenario(write(tmp_path, "extends: baseline\n"
                                           "uncertainties: [{path: params.grain_production_t, high: 3800000}]\n"))
    u = next(u for u in sc.uncertainties if u.path == "params.grain_production_t")
    assert (u.dist, u.low, u.high) == ("uniform", 3600000, 3800000)
    assert u.label.startswith("DPRK grain output")
    assert len(sc.levers) == len(baseline.levers)  # the levers are untouched


def test_child_narrowing_wrongly_names_the_child(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, "extends: baseline\nmonths: 2\nlevers:\n  - path: params.shell_price_usd\n    max: 100\n")
    refused(path, capsys, tmp_path, monkeypatch, words=("below",), line=4)


def test_child_turns_an_uncertainty_into_a_lever(tmp_path):
    sc = sim.load_scenario(write(tmp_path, "extends: baseline\nlevers:\n  - path: params.shell_capacity\n"
                                           "    label: capacity\n    min: 100000\n    max: 500000\n"))
    assert "params.shell_capacity" in [lv.path for lv in sc.levers]
    assert "params.shell_capacity" not in [u.path for u in sc.uncertainties]


@pytest.mark.parametrize("text, words", [("start: 2024-13-01\n", "date"), ('title: "\\ud800"\n', "surrogate")],
                         ids=["impossible-date", "lone-surrogate"])
def test_text_that_yaml_reads_but_python_cannot_use_is_a_clear_error(text, words):
    """An impossible YAML date raised ValueError, a lone surrogate escape failed later when written out."""
    with pytest.raises(sim.ScenarioError, match=words) as caught:
        sim.load_scenario_text(text, "upload.yaml")
    assert "\n" not in str(caught.value) and "upload.yaml" in str(caught.value)


@pytest.mark.parametrize("ref", ["/etc/passwd", "../../../etc/hostname", "/nonexistent/x.yaml"])
def test_an_uploaded_exercise_names_only_a_bundled_scenario(ref):
    """An uploaded exercise's scenario: a path is refused with one answer, whether or not it exists."""
    from sim.game.exercise import load_exercise_text

    text = (f"title: t\nscenario: {ref}\nroles: [DPRK]\nturns: 2\nturn_months: 3\n"
            "briefings: {DPRK: 'b'}\n")
    with pytest.raises(sim.ScenarioError, match="uploaded text cannot name a file by path"):
        load_exercise_text(text, "upload.yaml")


def test_an_exercise_inject_refuses_a_boolean_where_a_number_belongs():
    """Injects have their own number fields: true was read as 1.0 there too."""
    from sim.game.exercise import load_exercise_text

    text = ("title: t\nscenario: baseline\nroles: [DPRK]\nturns: 2\nturn_months: 3\nbriefings: {DPRK: 'b'}\n"
            "injects:\n  - {id: x, label: x, text: x, release: instructor, shift: {world.war_intensity: true}}\n")
    with pytest.raises(sim.ScenarioError, match="boolean"):
        load_exercise_text(text, "upload.yaml")
