"""Stages must not crash on odd text: random mixtures of the characters reports are made of."""
import random

import pytest

from reportparse import parse_text

from reportparse.understand import numbers

POOL = list("一二三四五六七八九十（）、。；：，%％万亿元个项家人次≥≤约超不少于以上实际完成目标计划预算执行率占比其中")
POOL += list("0123456789.,-～ ") + ["\n一、", "\n（二）", "\n3.", "\n（4）", "一是", "年度指标值为", "实际完成值为"]


@pytest.mark.parametrize("seed", range(40))
def test_random_text_never_crashes(seed):
    rng = random.Random(seed)
    text = "".join(rng.choice(POOL) for _ in range(rng.randint(1, 400)))
    report = parse_text(text)
    for m in report.measures:
        assert m.unit and m.target_op in {">=", ">", "<=", "<", "=", "~", "range"}
        assert m.actual_value == m.actual_value  # not NaN
    for a in report.amounts:
        assert a.currency in {"CNY", "USD", "EUR"} and a.amount == a.amount


@pytest.mark.parametrize("text", ["", "1", "，，，", "1,2,3,4,5,6元", "9" * 400 + "亿元", "一" * 300 + "万元"])
def test_edge_numbers(text):
    for q in numbers.find(text):
        assert q.base == q.base
