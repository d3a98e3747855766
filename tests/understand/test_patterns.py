"""Pattern files load, validate strictly, and every example and counterexample holds."""
import json
import shutil

import pytest
import regex

from reportparse import patterns

from reportparse.understand import names as indicators

from reportparse.understand import numbers

from reportparse.understand import lookalikes as ocrfix


def test_all_pattern_files_load():
    p = patterns.load()
    assert "万元" in p.units and p.units["万元"].factor == "10000"
    assert p.prefix_ops["不少于"] == ">=" and p.suffix_ops["以内"] == "<="


def _ops_cases():
    data = json.loads((patterns.patterns_dir() / "ops.json").read_text(encoding="utf-8"))
    for part in ("prefix", "suffix", "mid"):
        for e in data[part]:
            for ex in e.get("examples", []):
                yield pytest.param(ex, e["op"], id=f"{part}:{e['text']}:{ex}")


@pytest.mark.parametrize("text,op", list(_ops_cases()))
def test_op_examples_resolve_to_their_op(text, op):
    qs = numbers.find(text)
    assert qs, f"nothing found in {text!r}"
    assert qs[0].op == op


def _unit_cases():
    data = json.loads((patterns.patterns_dir() / "units.json").read_text(encoding="utf-8"))
    for u in data["units"]:
        for ex in u.get("examples", []):
            yield pytest.param(ex, u, id=f"{u['text']}:{ex}")


@pytest.mark.parametrize("text,unit", list(_unit_cases()))
def test_unit_examples_carry_their_unit(text, unit):
    qs = numbers.find(text)
    assert qs and qs[-1].unit_text.endswith(unit["text"])
    if unit["kind"] == "money":
        assert qs[-1].currency == unit["currency"]


@pytest.mark.parametrize("case", indicators.examples(), ids=lambda c: c["raw"])
def test_indicator_examples(case):
    assert indicators.clean(case["raw"]) == case["clean"]


def _copy_patterns(tmp_path):
    dst = tmp_path / "patterns"
    shutil.copytree(patterns.patterns_dir(), dst)
    return dst


@pytest.mark.parametrize("edit,message", [
    (lambda d: d["units"][0].update(bogus=1), "unknown keys"),
    (lambda d: d["units"][0].update(kind="weight"), "unknown kind"),
    (lambda d: d["units"].append(dict(d["units"][0])), "duplicate unit"),
])
def test_unknown_keys_and_bad_values_are_errors(tmp_path, monkeypatch, edit, message):
    dst = _copy_patterns(tmp_path)
    data = json.loads((dst / "units.json").read_text(encoding="utf-8"))
    edit(data)
    (dst / "units.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("REPORTPARSE_PATTERNS", str(dst))
    patterns.load.cache_clear()
    try:
        with pytest.raises(patterns.PatternError, match=message):
            patterns.load()
    finally:
        monkeypatch.delenv("REPORTPARSE_PATTERNS")
        patterns.load.cache_clear()


def test_a_counterexample_that_matches_is_an_error(tmp_path, monkeypatch):
    dst = _copy_patterns(tmp_path)
    data = json.loads((dst / "numbers.json").read_text(encoding="utf-8"))
    data["patterns"]["scale"]["counterexamples"].append("万")
    (dst / "numbers.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("REPORTPARSE_PATTERNS", str(dst))
    patterns.load.cache_clear()
    try:
        with pytest.raises(patterns.PatternError, match="counterexample '万' matches"):
            patterns.load()
    finally:
        monkeypatch.delenv("REPORTPARSE_PATTERNS")
        patterns.load.cache_clear()


def test_section_level_patterns_distinguish_outline_from_decimals():
    levels = dict((lvl, rx) for lvl, rx in patterns.load().levels)
    assert levels[3].match("1.促进") and not levels[3].match("1.5亿元")
    assert regex.match(levels[2], "（一）部门职能") and not levels[1].match("一是加强")


@pytest.mark.parametrize("pair", ocrfix.cases()["examples"], ids=lambda p: p[0])
def test_ocr_confusion_examples(pair):
    assert ocrfix.fix(pair[0]) == pair[1]


@pytest.mark.parametrize("text", ocrfix.cases()["counterexamples"])
def test_ocr_confusion_counterexamples(text):
    assert ocrfix.fix(text) == text


def test_organization_examples_resolve():
    from reportparse.understand.fields import _org_from_title
    data = json.loads((patterns.patterns_dir() / "fields.json").read_text(encoding="utf-8"))
    for title in data["organization"]["examples"]:
        org = _org_from_title(title)
        assert org and org.endswith("局") and "年" not in org and "附件" not in org, (title, org)


def _shape_cases():
    data = json.loads((patterns.patterns_dir() / "shapes.json").read_text(encoding="utf-8"))
    for name, e in data["shapes"].items():
        for ex in e.get("examples", []):
            yield pytest.param(name, ex, True, id=f"{name}:+:{ex}")
        for ex in e.get("counterexamples", []):
            yield pytest.param(name, ex, False, id=f"{name}:-:{ex}")


@pytest.mark.parametrize("name,text,found", list(_shape_cases()))
def test_shape_examples(name, text, found):
    assert bool(patterns.load().shapes[name].search(text)) is found


def test_the_shape_names_the_code_reads_are_declared_and_present():
    """Every ``_SH["name"]`` the code reads is in patterns.SHAPE_NAMES (checked on load), and
    a shapes.json without one of them fails at load, naming it."""
    import re
    from pathlib import Path

    from reportparse.patterns import SHAPE_NAMES
    src = Path(patterns.__file__).parent
    read = {m for f in src.rglob("*.py") for m in re.findall(r'_SH\["(\w+)"\]', f.read_text(encoding="utf-8"))}
    assert read and read <= SHAPE_NAMES
    assert {n for n in SHAPE_NAMES if n.startswith("col_")}  # read through an f-string (table_layout.FIELD_COLS)


def test_a_shapes_file_without_a_shape_the_code_reads_fails_at_load(tmp_path, monkeypatch):
    from reportparse.patterns import PatternError, patterns_dir
    shutil.copytree(patterns_dir(), tmp_path, dirs_exist_ok=True)
    data = json.loads((tmp_path / "shapes.json").read_text(encoding="utf-8"))
    del data["shapes"]["all_met"]
    (tmp_path / "shapes.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("REPORTPARSE_PATTERNS", str(tmp_path))
    patterns.load.cache_clear()
    try:
        with pytest.raises(PatternError, match="all_met"):
            patterns.load()
    finally:
        monkeypatch.undo()
        patterns.load.cache_clear()


@pytest.mark.parametrize("edit,message", [
    (lambda d: d["vocabulary"]["unit_word"]["counterexamples"].append("局"), "counterexample '局' matches"),
    (lambda d: d["vocabulary"]["unit_word"].update(pattern="局"), "either 'words' or 'pattern'"),
    (lambda d: d["vocabulary"]["report_kind"].update(pattern="<<nowhere>>报告"), "unknown vocabulary <<nowhere>>"),
])
def test_vocabulary_is_validated_like_every_pattern_file(tmp_path, monkeypatch, edit, message):
    dst = _copy_patterns(tmp_path)
    data = json.loads((dst / "vocabulary.json").read_text(encoding="utf-8"))
    edit(data)
    (dst / "vocabulary.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("REPORTPARSE_PATTERNS", str(dst))
    patterns.vocabulary.cache_clear()
    try:
        with pytest.raises(patterns.PatternError, match=message):
            patterns.vocabulary()
    finally:
        monkeypatch.delenv("REPORTPARSE_PATTERNS")
        patterns.vocabulary.cache_clear()
