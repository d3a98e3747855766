"""Comparison signs alone in a cell, read by their shape (ocr/signs.py)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from reportparse.ocr import signs


def _cell(draw) -> np.ndarray:
    img = Image.new("L", (120, 60), 245)
    draw(ImageDraw.Draw(img))
    return np.asarray(img)


def _chevron(d, right: bool, bar: bool, x=45, y=10, w=22, h=22, width=3):
    tip, back = (x + w, x) if right else (x, x + w)
    d.line((back, y, tip, y + h // 2), fill=20, width=width)
    d.line((tip, y + h // 2, back, y + h), fill=20, width=width)
    if bar:
        d.line((x, y + h + 7, x + w, y + h + 7), fill=20, width=width)


@pytest.mark.parametrize("right, bar, want", [(True, True, "≥"), (False, True, "≤"), (True, False, ">"), (False, False, "<")])
def test_a_drawn_chevron_is_told_by_where_its_tip_points(right, bar, want):
    assert signs.lone_sign(_cell(lambda d: _chevron(d, right, bar))) == want


def test_a_scanned_sign_with_a_slanted_bar_a_faded_row_and_a_speck_is_still_read():
    """As a 300-dpi scan turned back leaves them: the bar runs over two rows, a row of the
    chevron is too faint to count, a speck of noise sits between chevron and bar."""
    def draw(d):
        _chevron(d, True, False, h=24)
        d.line((45, 41, 58, 41), fill=20, width=2)
        d.line((56, 43, 67, 43), fill=20, width=2)
        d.point((60, 37), fill=20)
    cell = _cell(draw).copy()
    cell[22, :] = 245  # a faded row across the chevron
    assert signs.lone_sign(cell) == "≥"


def test_flat_strokes_are_a_dash_or_an_equals_sign():
    assert signs.lone_sign(_cell(lambda d: d.line((30, 30, 90, 30), fill=20, width=3))) == "—"
    two = lambda d: (d.line((35, 24, 85, 24), fill=20, width=3), d.line((35, 36, 85, 36), fill=20, width=3))
    assert signs.lone_sign(_cell(two)) == "＝"


@pytest.mark.parametrize("shape", ["slash", "seven", "paren", "blot", "text", "empty", "cross"])
def test_other_shapes_are_no_sign(shape):
    draw = {
        "slash": lambda d: d.line((50, 45, 70, 10), fill=20, width=3),
        "seven": lambda d: (d.line((45, 10, 70, 10), fill=20, width=3), d.line((70, 10, 52, 45), fill=20, width=3)),
        "paren": lambda d: d.arc((50, 5, 80, 55), 100, 260, fill=20, width=3),
        "blot": lambda d: d.ellipse((45, 15, 70, 40), fill=20),
        "text": lambda d: [d.rectangle((10 + 14 * k, 20, 20 + 14 * k, 40), outline=20, width=2) for k in range(6)],
        "empty": lambda d: None,
        "cross": lambda d: (d.line((45, 10, 75, 40), fill=20, width=3), d.line((75, 10, 45, 40), fill=20, width=3)),
    }[shape]
    assert signs.lone_sign(_cell(draw)) is None


FONTS = [p for p in ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
                     "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                     "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc") if Path(p).exists()]


@pytest.mark.skipif(not FONTS, reason="no CJK font installed (scripts/setup.sh installs them)")
@pytest.mark.parametrize("size", [18, 20, 24, 26, 30, 36])
def test_signs_set_in_cjk_fonts(size):
    for path in FONTS:
        font = ImageFont.truetype(path, size)
        others = [(ch, None) for ch in "0123456789二三是否（）)V%√×LX"] + [("≥95%", None), ("12", None)]
        for text, want in [("≥", "≥"), ("≤", "≤"), ("—", "—")] + others:
            got = signs.lone_sign(_cell(lambda d: d.text((45, 10), text, font=font, fill=20)))
            assert got == want, (path, size, text, got)
