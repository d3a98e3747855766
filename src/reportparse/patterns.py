"""Load the pattern data in ``patterns/`` and validate it strictly.

Patterns are data so that a new wording is a data change with its own example, not a code
change. Every file is checked on load: unknown keys are errors, every regex compiles, every
example matches and every counterexample does not. A bad pattern file fails loudly at start
instead of silently recognizing less.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

REF = regex.compile(r"<<(\w+)>>")


class PatternError(ValueError):
    """A pattern file is malformed; the message names the file, the entry and the fault."""


def patterns_dir() -> Path:
    env = os.environ.get("REPORTPARSE_PATTERNS")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    # the installed package's copy first (the wheel carries it), then the repository's
    cands = (here.parent / "patterns", here.parents[2] / "patterns")
    for cand in cands:
        if cand.is_dir():
            return cand
    raise PatternError(f"patterns/ folder not found (looked in {', '.join(map(str, cands))}); reinstall "
                       "reportparse from a wheel or the repository, or set REPORTPARSE_PATTERNS")


def _read(name: str) -> dict:
    path = patterns_dir() / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise PatternError(f"{name}: not valid JSON: {e}") from e


def _keys(where: str, obj: dict, required: set[str], optional: set[str] = frozenset()) -> None:
    if not isinstance(obj, dict):
        raise PatternError(f"{where}: expected an object, got {type(obj).__name__}")
    missing = required - obj.keys()
    unknown = obj.keys() - required - optional
    if missing:
        raise PatternError(f"{where}: missing keys {sorted(missing)}")
    if unknown:
        raise PatternError(f"{where}: unknown keys {sorted(unknown)}")


def _compile(where: str, pattern: str, flags: int = 0) -> regex.Pattern:
    if REF.search(pattern):  # <<unit_word>> and its kin: the shared vocabularies
        pattern = compose(pattern, where)
    try:
        return regex.compile(pattern, flags)
    except regex.error as e:
        raise PatternError(f"{where}: regex does not compile: {e}") from e


def _check_examples(where: str, rx: regex.Pattern, entry: dict, full: bool = True) -> None:
    test = rx.fullmatch if full else rx.search
    for ex in entry.get("examples", []):
        if not test(ex):
            raise PatternError(f"{where}: example {ex!r} does not match")
    for ex in entry.get("counterexamples", []):
        if test(ex):
            raise PatternError(f"{where}: counterexample {ex!r} matches")


def _alternation(words: list[str]) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, str]:
    """patterns/vocabulary.json: one vocabulary per concept (unit words, place words, project
    words, the year, the report kind), as regex source, so that every pattern that needs one
    composes the same list instead of keeping a copy that drifts."""
    where = "vocabulary.json"
    data = _read(where)
    _keys(where, data, {"vocabulary"}, {"description"})
    raw: dict[str, str] = {}
    for name, e in data["vocabulary"].items():
        _keys(f"{where} {name}", e, {"description"}, {"words", "pattern", "examples", "counterexamples"})
        if ("words" in e) == ("pattern" in e):
            raise PatternError(f"{where} {name}: give either 'words' or 'pattern'")
        if "words" in e and not (isinstance(e["words"], list) and all(isinstance(w, str) and w for w in e["words"])):
            raise PatternError(f"{where} {name}: 'words' must be a list of non-empty strings")
        raw[name] = _alternation(e["words"]) if "words" in e else e["pattern"]
    done: dict[str, str] = {}

    def expand(name: str, stack: tuple[str, ...]) -> str:
        if name in done:
            return done[name]
        if name in stack:
            raise PatternError(f"{where}: circular reference {' -> '.join(stack + (name,))}")
        if name not in raw:
            raise PatternError(f"{where}: unknown vocabulary <<{name}>> in {stack[-1]}")
        done[name] = REF.sub(lambda m: "(?:" + expand(m.group(1), stack + (name,)) + ")", raw[name])
        return done[name]

    for name, e in data["vocabulary"].items():
        rx = _compile(f"{where} {name}", expand(name, ()))
        _check_examples(f"{where} {name}", rx, e, full="words" in e)
    return done


def compose(pattern: str, where: str = "pattern") -> str:
    """A pattern with its <<name>> references to patterns/vocabulary.json filled in."""
    vocab = vocabulary()

    def one(m: regex.Match) -> str:
        if m.group(1) not in vocab:
            raise PatternError(f"{where}: unknown vocabulary <<{m.group(1)}>> (vocabulary.json has {', '.join(vocab)})")
        return "(?:" + vocab[m.group(1)] + ")"
    return REF.sub(one, pattern)


@dataclass(frozen=True)
class Unit:
    text: str
    kind: str  # money, percent, permille, points, count, score
    currency: str | None
    factor: str  # decimal string, exact


@dataclass(frozen=True)
class Patterns:
    quantity: regex.Pattern
    sub: dict[str, str]
    units: dict[str, Unit]
    prefix_ops: dict[str, str]
    suffix_ops: dict[str, str]
    mid_ops: dict[str, str]
    levels: list[tuple[int, regex.Pattern]]
    ranks: list[int]
    kinds: list[tuple[str, regex.Pattern]]
    body_cues: list[tuple[str, regex.Pattern]]
    profile_headings: list[tuple[str, regex.Pattern]]
    fields: dict[str, dict[str, Any]]
    self_score: regex.Pattern
    fiscal_year: regex.Pattern
    org: dict[str, regex.Pattern]
    charmap: dict[str, str]
    shapes: dict[str, regex.Pattern]
    raw: dict[str, Any]


def _load_units(data: dict) -> dict[str, Unit]:
    _keys("units.json", data, {"units"}, {"description"})
    units: dict[str, Unit] = {}
    for i, u in enumerate(data["units"]):
        where = f"units.json units[{i}]"
        _keys(where, u, {"text", "kind"}, {"currency", "factor", "examples", "counterexamples"})
        if u["kind"] not in {"money", "percent", "permille", "points", "count", "score"}:
            raise PatternError(f"{where}: unknown kind {u['kind']!r}")
        if u["kind"] == "money" and not (u.get("currency") and u.get("factor")):
            raise PatternError(f"{where}: money units need currency and factor")
        if u["text"] in units:
            raise PatternError(f"{where}: duplicate unit {u['text']!r}")
        units[u["text"]] = Unit(u["text"], u["kind"], u.get("currency"), str(u.get("factor", "1")))
    return units


NOT_AFTER: dict[str, str] = {}  # prefix op word -> characters that, just before it, make it part of another word


def _load_ops(data: dict) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    _keys("ops.json", data, {"prefix", "suffix", "mid"}, {"description"})
    out = []
    for part in ("prefix", "suffix", "mid"):
        table = {}
        for i, e in enumerate(data[part]):
            where = f"ops.json {part}[{i}]"
            _keys(where, e, {"text", "op"}, {"examples", "counterexamples", "not_after"})
            if e["op"] not in {">=", ">", "<=", "<", "=", "~"}:
                raise PatternError(f"{where}: unknown op {e['op']!r}")
            table[e["text"]] = e["op"]
            if e.get("not_after"):
                NOT_AFTER[e["text"]] = e["not_after"]
        out.append(table)
    return tuple(out)  # type: ignore[return-value]


def _compose(data: dict, extra: dict[str, str]) -> dict[str, str]:
    _keys("numbers.json", data, {"patterns"}, {"description"})
    raw = {}
    for name, e in data["patterns"].items():
        _keys(f"numbers.json {name}", e, {"pattern"}, {"examples", "counterexamples"})
        raw[name] = e["pattern"]
    raw.update(extra)
    done: dict[str, str] = {}

    def expand(name: str, stack: tuple[str, ...]) -> str:
        if name in done:
            return done[name]
        if name in stack:
            raise PatternError(f"numbers.json: circular reference {' -> '.join(stack + (name,))}")
        if name not in raw:
            raise PatternError(f"numbers.json: unknown sub-pattern <<{name}>> in {stack[-1]}")
        out = REF.sub(lambda m: "(?:" + expand(m.group(1), stack + (name,)) + ")", raw[name])
        done[name] = out
        return out

    for name in raw:
        expand(name, ())
    for name, e in data["patterns"].items():
        _check_examples(f"numbers.json {name}", _compile(f"numbers.json {name}", done[name]), e)
    return done


def _entries(where: str, entries: list[dict], key: str | None = None,
             optional: set[str] = frozenset()) -> list[tuple[dict, regex.Pattern]]:
    """Entries of the form {key, pattern, examples, counterexamples}: checked and compiled;
    examples must be found (search), counterexamples must not."""
    out = []
    for i, e in enumerate(entries):
        w = f"{where}[{i}]"
        _keys(w, e, {"pattern"} | ({key} if key else set()), {"examples", "counterexamples"} | set(optional))
        rx = _compile(w, e["pattern"])
        _check_examples(w, rx, e, full=False)
        out.append((e, rx))
    return out


# The shapes.json entries the code reads by name (tests/understand/test_patterns.py ties this to
# the code): a file without one fails at load, naming it, not with a KeyError in the middle of a parse.
SHAPE_NAMES = frozenset({
    "actual_col", "actual_marker", "all_met", "budget_label", "enum_word", "field_row", "goal_after", "goal_before",
    "item_budget", "item_rate", "item_spend", "label_trim_head", "label_trim_tail", "plan_done", "plan_lead",
    "plan_then", "plan_words", "qualified", "scope", "share", "target_col", "total_row", "unit_in_header",
    "whole_trim", "col_budget_initial", "col_budget_adjusted", "col_expenditure", "col_execution_rate",
})


TITLE_PARTS = ("kind", "org", "org_before_project", "project", "subtitle", "in_preamble")


@lru_cache(maxsize=1)
def load() -> Patterns:
    """Load and validate every pattern file once per process."""
    units = _load_units(_read("units.json"))
    prefix, suffix, mid = _load_ops(_read("ops.json"))
    extra = {"unit": _alternation(list(units)), "op_prefix": _alternation(list(prefix)),
             "op_suffix": _alternation(list(suffix))}
    sub = _compose(_read("numbers.json"), extra)
    quantity = _compile("numbers.json quantity", sub["quantity"])

    sec = _read("sections.json")
    _keys("sections.json", sec, {"levels", "kinds"}, {"description", "body_cues", "profile_headings"})
    level_entries = _entries("sections.json levels", sec["levels"], "level", {"rank"})
    levels = [(int(e["level"]), rx) for e, rx in level_entries]
    ranks = [int(e.get("rank", e["level"])) for e, _ in level_entries]
    kinds = [(e["kind"], rx) for e, rx in _entries("sections.json kinds", sec["kinds"], "kind")]
    body_cues = [(e["kind"], rx) for e, rx in _entries("sections.json body_cues", sec.get("body_cues", []), "kind")]
    profile_headings = [(e["kind"], rx) for e, rx in
                        _entries("sections.json profile_headings", sec.get("profile_headings", []), "kind")]

    fd = _read("fields.json")
    _keys("fields.json", fd, {"fields", "self_score", "fiscal_year", "organization"},
          {"description", "header_labels", "title", "year_in_text", "self_reference_name"})
    fields = {}
    for name, e in fd["fields"].items():
        where = f"fields.json fields.{name}"
        _keys(where, e, {"kind", "label"}, {"exclude", "examples", "counterexamples"})
        if e["kind"] not in {"money", "percent"}:
            raise PatternError(f"{where}: kind must be money or percent")
        label = _compile(where, e["label"])
        exclude = _compile(where, e["exclude"]) if e.get("exclude") else None
        for ex in e.get("examples", []):
            if not label.search(ex) or (exclude and exclude.search(ex)):
                raise PatternError(f"{where}: example label {ex!r} is not accepted")
        for ex in e.get("counterexamples", []):
            if label.search(ex) and not (exclude and exclude.search(ex)):
                raise PatternError(f"{where}: counterexample label {ex!r} is accepted")
        fields[name] = {"kind": e["kind"], "label": label, "exclude": exclude}
    ((_, self_score),) = _entries("fields.json self_score", [fd["self_score"]])
    ((_, fiscal_year),) = _entries("fields.json fiscal_year", [fd["fiscal_year"]])
    og = fd["organization"]
    _keys("fields.json organization", og, {"strip_prefix", "suffix", "unit_end", "label", "subject"},
          {"examples", "counterexamples", "cover", "cover_examples", "cover_counterexamples", "label_examples",
           "label_counterexamples"})
    org = {k: _compile(f"fields.json organization.{k}", og[k]) for k in ("strip_prefix", "suffix", "unit_end", "label", "subject")}
    if "cover" in og:  # a cover line that is the unit's name and nothing else
        org["cover"] = _compile("fields.json organization.cover", og["cover"])
        _check_examples("fields.json organization.cover", org["cover"],
                        {"examples": og.get("cover_examples", []), "counterexamples": og.get("cover_counterexamples", [])})

    _check_examples("fields.json organization.label", org["label"],
                    {"examples": og.get("label_examples", []), "counterexamples": og.get("label_counterexamples", [])},
                    full=False)
    tl = fd.get("title", {})
    _keys("fields.json title", tl, set(), {"description", *TITLE_PARTS})
    for k in TITLE_PARTS:
        if k in tl:  # the title grammar's parts, as org["title_<part>"]
            ((_, org[f"title_{k}"]),) = _entries(f"fields.json title.{k}", [tl[k]])

    if "year_in_text" in fd:  # a year the text speaks of (2022年部门决算), when no title gives one
        ((_, org["year_in_text"]),) = _entries("fields.json year_in_text", [fd["year_in_text"]])
    if "self_reference_name" in fd:  # checked here with every unit word in the {words} slot
        sr = fd["self_reference_name"]
        _keys("fields.json self_reference_name", sr, {"pattern", "stands_for"},
              {"description", "examples", "counterexamples"})
        if not all(isinstance(v, list) and all(isinstance(w, str) and w for w in v) for v in sr["stands_for"].values()):
            raise PatternError("fields.json self_reference_name.stands_for: each word maps to a list of unit words")
        _entries("fields.json self_reference_name", [{**{k: sr[k] for k in ("examples", "counterexamples") if k in sr},
                                                      "pattern": sr["pattern"].replace("{words}", "<<unit_word>>")}])

    hl = fd.get("header_labels", {})
    _keys("fields.json header_labels", hl, set(), {"description", "project", "supervisor", "project_in_title"})
    for k in ("project", "supervisor", "project_in_title"):
        if k in hl:
            ((_, org[k]),) = _entries(f"fields.json header_labels.{k}", [hl[k]])  # group 'value' is the field

    sh = _read("shapes.json")
    _keys("shapes.json", sh, {"shapes"}, {"description"})
    missing = SHAPE_NAMES - sh["shapes"].keys()
    if missing:
        raise PatternError(f"shapes.json: missing shapes the code reads: {sorted(missing)}")
    shapes = {}
    for name, e in sh["shapes"].items():
        where = f"shapes.json {name}"
        _keys(where, e, {"pattern", "description"}, {"examples", "counterexamples"})
        shapes[name] = _compile(where, e["pattern"])
        _check_examples(where, shapes[name], e, full=False)

    cm = _read("charmap.json")
    _keys("charmap.json", cm, {"map"}, {"description"})
    for k in cm["map"]:
        if len(k) != 1:
            raise PatternError(f"charmap.json: key {k!r} is not one character")
    return Patterns(quantity, sub, units, prefix, suffix, mid, levels, ranks, kinds, body_cues, profile_headings,
                    fields, self_score,
                    fiscal_year, org, dict(cm["map"]), shapes,
                    {"ops": _read("ops.json"), "units": _read("units.json"), "fields": fd})


@lru_cache(maxsize=1)
def heading() -> regex.Pattern:
    """Any outline number at the start of a line (一、 （一） 1. （1） 第一部分)."""
    return regex.compile("|".join(f"(?:{rx.pattern})" for _, rx in load().levels))


DOC_TYPES = ("dept_report", "project_report", "self_eval_table", "target_table", "final_accounts", "budget", "other")


@dataclass(frozen=True)
class DocTypes:
    title: list[tuple[str, regex.Pattern]]  # ordered: the first found decides
    title_end: regex.Pattern
    target_header: regex.Pattern
    actual_header: regex.Pattern
    measureless: frozenset[str]


@lru_cache(maxsize=1)
def doctypes() -> DocTypes:
    """patterns/doctypes.json, validated like the other files: the wordings that say what
    kind of document a file is (contract v2's doc_type)."""
    data = _read("doctypes.json")
    _keys("doctypes.json", data, {"title", "title_end", "target_header", "actual_header", "measureless"},
          {"description"})
    title = []
    for e, rx in _entries("doctypes.json title", data["title"], "type"):
        if e["type"] not in DOC_TYPES:
            raise PatternError(f"doctypes.json title: unknown type {e['type']!r} (one of {', '.join(DOC_TYPES)})")
        title.append((e["type"], rx))
    single = {k: _entries(f"doctypes.json {k}", [data[k]])[0][1] for k in ("title_end", "target_header", "actual_header")}
    bad = set(data["measureless"]) - set(DOC_TYPES)
    if bad:
        raise PatternError(f"doctypes.json measureless: unknown types {sorted(bad)}")
    return DocTypes(title, single["title_end"], single["target_header"], single["actual_header"],
                    frozenset(data["measureless"]))


@dataclass(frozen=True)
class TableRoles:
    """patterns/table_roles.json compiled: column roles and header-block labels are matched
    whole (``fullmatch``), cell shapes are searched."""
    roles: dict[str, regex.Pattern]   # in priority order: a header cell takes the first that matches
    cells: dict[str, regex.Pattern]
    header_fields: dict[str, regex.Pattern]
    item_rows: dict[str, regex.Pattern]


TABLE_ROLE_NAMES = ("category", "indicator", "sign", "target", "unit", "weight", "actual", "score", "deviation",
                    "standard")
TABLE_CELL_NAMES = ("header_note", "placeholder", "instruction", "ordinal", "qualitative_sign", "sign_higher", "sign_lower",
                    "date_after", "range_joint", "project_code", "code_note", "seal", "rate_row", "funds_total")


@lru_cache(maxsize=1)
def table_roles() -> TableRoles:
    """Load and validate patterns/table_roles.json once per process; every role the table
    reader relies on must be there, and nothing else."""
    data = _read("table_roles.json")
    _keys("table_roles.json", data, {"roles", "cells", "header_fields", "item_rows"}, {"description"})
    out: dict[str, dict[str, regex.Pattern]] = {}
    for part, names, full in (("roles", TABLE_ROLE_NAMES, True), ("cells", TABLE_CELL_NAMES, False),
                              ("header_fields", ("organization", "supervisor", "project"), True),
                              ("item_rows", ("problem", "improvement"), True)):
        _keys(f"table_roles.json {part}", data[part], set(names))
        out[part] = {}
        for name in names:
            where = f"table_roles.json {part}.{name}"
            e = data[part][name]
            _keys(where, e, {"pattern", "description"}, {"examples", "counterexamples"})
            out[part][name] = _compile(where, e["pattern"])
            _check_examples(where, out[part][name], e, full=full)
    return TableRoles(out["roles"], out["cells"], out["header_fields"], out["item_rows"])


@dataclass(frozen=True)
class IndicatorWords:
    """patterns/indicators.json: jieba tokens trimmed from the ends of an indicator name."""
    lead: frozenset[str]
    trail: frozenset[str]
    trail_phrases: tuple[str, ...]
    examples: tuple[dict, ...]


@lru_cache(maxsize=1)
def indicator_words() -> IndicatorWords:
    where = "indicators.json"
    data = _read(where)
    _keys(where, data, {"lead", "trail", "examples"}, {"description", "trail_phrases"})
    for key in ("lead", "trail", "trail_phrases"):
        words = data.get(key, [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise PatternError(f"{where}: {key} must be a list of non-empty strings")
    for i, ex in enumerate(data["examples"]):
        _keys(f"{where}: examples[{i}]", ex, {"raw", "clean"})
    return IndicatorWords(frozenset(data["lead"]), frozenset(data["trail"]), tuple(data.get("trail_phrases", [])),
                          tuple(data["examples"]))


@dataclass(frozen=True)
class Confusions:
    """patterns/ocr_confusions.json: characters OCR engines confuse, and when to swap them."""
    pairs: tuple[tuple[str, str], ...]
    min_ratio: float
    min_freq: int
    before_digit: dict[str, str]
    always: dict[str, str]
    examples: tuple[tuple[str, str], ...]
    counterexamples: tuple[str, ...]


@lru_cache(maxsize=1)
def ocr_confusions() -> Confusions:
    """Validated for shape here; whether each example is corrected as stated is checked where
    the correction lives (``understand.lookalikes``), on first use and by the tests."""
    where = "ocr_confusions.json"
    data = _read(where)
    _keys(where, data, {"min_ratio", "min_freq", "pairs"},
          {"description", "before_digit", "always", "examples", "counterexamples"})
    pairs = []
    for p in data["pairs"]:
        if not (isinstance(p, list) and len(p) == 2 and all(isinstance(c, str) and len(c) == 1 for c in p)):
            raise PatternError(f"{where}: pair {p!r} must be two single characters")
        pairs.append((p[0], p[1]))
    always = dict(data.get("always", {}))
    if any(len(k) != 1 for k in always):
        raise PatternError(f"{where}: 'always' maps single characters")
    examples = []
    for e in data.get("examples", []):
        if not (isinstance(e, list) and len(e) == 2):
            raise PatternError(f"{where}: example {e!r} must be [OCR text, corrected text]")
        examples.append((e[0], e[1]))
    return Confusions(tuple(pairs), float(data["min_ratio"]), int(data["min_freq"]), dict(data.get("before_digit", {})),
                      always, tuple(examples), tuple(data.get("counterexamples", [])))


@dataclass(frozen=True)
class ArchiveWords:
    """patterns/archive.json: what the archive audit removes from a unit's name, what it
    rewrites, the city/district run that may stand before a name or be left out, the title
    cue of a project document, and the amount labels of each document figure."""
    drop: tuple[regex.Pattern, ...]
    replace: tuple[tuple[str, str], ...]
    admin_prefix: regex.Pattern  # matched whole
    project_title: regex.Pattern
    figure_labels: dict[str, regex.Pattern]


ARCHIVE_FIGURES = ("expenditure", "budget_initial", "budget_adjusted")


@lru_cache(maxsize=1)
def archive_words() -> ArchiveWords:
    where = "archive.json"
    data = _read(where)
    _keys(where, data, {"drop", "replace", "admin_prefix", "project_title", "figure_labels"}, {"description"})
    drop = tuple(rx for _, rx in _entries(f"{where} drop", data["drop"]))
    replace = []
    for i, e in enumerate(data["replace"]):
        _keys(f"{where} replace[{i}]", e, {"text", "with"}, {"examples"})
        if not all(e["text"] in ex for ex in e.get("examples", [])):
            raise PatternError(f"{where} replace[{i}]: an example does not contain {e['text']!r}")
        replace.append((e["text"], e["with"]))
    ap = data["admin_prefix"]
    _keys(f"{where} admin_prefix", ap, {"pattern"}, {"examples", "counterexamples"})
    prefix = _compile(f"{where} admin_prefix", ap["pattern"])
    _check_examples(f"{where} admin_prefix", prefix, ap, full=True)
    ((_, project),) = _entries(f"{where} project_title", [data["project_title"]])
    _keys(f"{where} figure_labels", data["figure_labels"], set(ARCHIVE_FIGURES))
    labels = {k: _entries(f"{where} figure_labels.{k}", [data["figure_labels"][k]])[0][1] for k in ARCHIVE_FIGURES}
    return ArchiveWords(drop, tuple(replace), prefix, project, labels)
