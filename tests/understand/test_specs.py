"""Language specs: many small text cases in data files, one parametrized test per family."""
import json
from pathlib import Path

import pytest

from reportparse import parse_text

from reportparse.understand import numbers

from reportparse.understand import fields as recognize
from reportparse.understand import prose
from reportparse.model import Paragraph, Section

SPECS = Path(__file__).parent / "specs"


def load(name):
    return json.loads((SPECS / name).read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", load("quantities.json"), ids=lambda c: c["text"])
def test_quantities(case):
    from reportparse.understand.normalize import translate
    got = numbers.find(translate(case["text"]))
    assert len(got) == len(case["expect"]), [q.text for q in got]
    for q, e in zip(got, case["expect"]):
        if "value" in e:
            assert float(q.value) == pytest.approx(e["value"])
        assert float(q.base) == pytest.approx(e["base"], rel=1e-12)
        assert q.unit == e["unit"]
        assert q.op == e.get("op", q.op)
        if "max" in e:
            assert float(q.base_max) == pytest.approx(e["max"])
        if "malformed" in e:
            assert q.malformed is e["malformed"]


def test_scaling_is_exact_decimal():
    q = numbers.find("高新技术企业营收16.4亿元")[0]
    assert int(q.base) == 1640000000 and str(q.base) == "1640000000.0"


@pytest.mark.parametrize("case", load("measures.json"), ids=lambda c: c["text"][:30])
def test_measures(case):
    sec = Section(0, None, 1, "一、", "绩效目标完成情况", "targets", 1, 1)
    para = Paragraph(case["text"], [(0, 1)])
    got = []
    for s in prose.sentences(sec, [para]):
        got += prose.measures_in(s, numbers.find(s.text))
    rows = [[m.unit, m.target_op, m.target_value, m.target_value_max, m.actual_op, m.actual_value, m.met] for m in got]
    assert len(rows) == len(case["expect"]), rows
    for r, e in zip(rows, case["expect"]):
        assert r[:2] == e[:2] and r[4] == e[4] and r[6] == e[6], r
        assert r[2] == pytest.approx(e[2]) and r[5] == pytest.approx(e[5])
        assert (r[3] is None) == (e[3] is None) and (e[3] is None or r[3] == pytest.approx(e[3]))


@pytest.mark.parametrize("case", load("documents.json"), ids=lambda c: c["name"])
def test_documents(case):
    r = parse_text("\n".join(case["text"]))
    for k, v in case.get("document", {}).items():
        got = getattr(r.document, k)
        assert got == (pytest.approx(v) if isinstance(v, float) else v), k
    kinds = {s.kind for s in r.sections}
    for k in case.get("kinds", []):
        assert k in kinds
    status = {c.check: c.status for c in r.checks}
    for k, v in case.get("checks", {}).items():
        assert status.get(k) == v, (k, [(c.check, c.status, c.message) for c in r.checks])
    for k, v in case.get("checks_all", {}).items():
        assert [c.status for c in r.checks if c.check == k] == v
    for sid, parent in case.get("parents", []):
        assert r.sections[sid].parent_id == parent
    if "measures" in case:
        assert len(r.measures) == case["measures"], [(m.indicator, m.target_value, m.actual_value) for m in r.measures]
    for k in case.get("checks_absent", []):
        assert k not in status
    for kind, texts in case.get("items", {}).items():
        got = [i.text for i in r.items if i.kind == kind]
        assert len(got) == len(texts), got
        for g, t in zip(got, texts):
            assert g.startswith(t)
