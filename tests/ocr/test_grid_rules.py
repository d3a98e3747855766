"""Ruled grids whose rules a scan made hard to find (measured in bench/table_bench.py): a rule
too thin to stay one run after a turn on the glass, and a column rule with a large title's
strokes ending beside it. The pages are invented and drawn here (PIL)."""
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw

from reportparse.ocr import grid
from reportparse.ocr import page as ocr

from conftest import SAMPLES

W, H = 1240, 1754  # an A4 page at 150 dpi


def _scanner():
    sys.path.insert(0, str(SAMPLES))
    import build
    return build.scanner


def _ruled(d: ImageDraw.ImageDraw, xs: list[int], ys: list[int], width: int, ink: int) -> None:
    """Rules at ``xs`` and ``ys`` (``width`` px of grey ``ink``), and glyph-sized blocks of 'text' in every cell."""
    for y in ys:
        d.line((xs[0], y, xs[-1], y), fill=ink, width=width)
    for x in xs:
        d.line((x, ys[0], x, ys[-1]), fill=ink, width=width)
    for r, (y0, y1) in enumerate(zip(ys, ys[1:])):
        for c, (x0, x1) in enumerate(zip(xs, xs[1:])):
            for k in range(1 + (r + c) % 3):
                d.rectangle((x0 + 8 + 22 * k, y0 + 9, x0 + 25 + 22 * k, y1 - 9), fill=30)



def _thin_ruled_page(xs: list[int], ys: list[int], offset: int) -> Image.Image:
    """A page with 0.6 pt rules at 150 dpi (1.25 px) as a renderer draws them: drawn 4x as
    large in black, then reduced, so a rule is one dark pixel and a grey one beside it;
    ``offset`` (in quarter pixels) moves the rules off the pixel grid."""
    k = 4
    big = Image.new("L", (W * k, H * k), 255)
    d = ImageDraw.Draw(big)
    for y in ys:
        d.rectangle((xs[0] * k, y * k + offset, xs[-1] * k + 4, y * k + offset + 4), fill=0)
    for x in xs:
        d.rectangle((x * k + offset, ys[0] * k, x * k + offset + 4, ys[-1] * k + 4), fill=0)
    for r, (y0, y1) in enumerate(zip(ys, ys[1:])):
        for c, (x0, x1) in enumerate(zip(xs, xs[1:])):
            for n in range(1 + (r + c) % 3):
                d.rectangle(((x0 + 8 + 22 * n) * k, (y0 + 9) * k, (x0 + 25 + 22 * n) * k, (y1 - 9) * k), fill=30)
    return big.resize((W, H), Image.Resampling.BOX)


@pytest.mark.parametrize("offset,turn,seed", [(0, 1.9, 0), (0, -1.81, 3), (1, -1.4, 1), (2, 0.8, 2), (3, -1.25, 2)])
def test_a_thin_rule_at_150_dpi_turned_and_straightened_still_bounds_every_cell(offset, turn, seed):
    """A 1.25 px rule turned on the glass, noisy and JPEG'd, then straightened: resampled twice
    it fades in places to some 30 grey levels under the paper and wanders between two pixel
    lines, so it breaks into pieces shorter than a row is high. Every cell must still be found,
    bounded by the rules drawn."""
    xs = [120, 300, 470, 720, 880, 1010, 1120]
    ys = [300 + 38 * i for i in range(8)]
    scanned = _scanner()(_thin_ruled_page(xs, ys, offset), turn=turn, noise=14, jpeg=50, seed=seed)
    (g,) = grid.find(np.asarray(ocr.prepare(scanned, True)))
    assert (len(g.rows), len(g.rows[0])) == (len(ys) - 1, len(xs) - 1)
    assert all(box is not None for row in g.rows for box in row)
    for r, row in enumerate(g.rows):
        for c, (x0, y0, x1, y1) in enumerate(row):
            assert max(abs(x0 - xs[c]), abs(x1 - xs[c + 1]), abs(y0 - ys[r]), abs(y1 - ys[r + 1])) <= 4


def test_a_large_title_ending_beside_a_column_rule_does_not_move_the_rule():
    """The strokes of a large title above the table end a few pixels left of a column rule:
    they are long vertical runs too, in the same few columns of pixels. The rule is placed
    where its own long run is, not between it and the title's strokes, and its column stays."""
    xs = [200, 420, 640, 900, 1060]
    ys = [400 + 50 * i for i in range(6)]
    page = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(page)
    _ruled(d, xs, ys, 2, 40)
    # the title: 'glyphs' of vertical strokes 55 px tall, the last stroke 5 px wide ending 3 px
    # left of the rule at xs[3]
    for right in range(xs[3] - 3, 400, -60):
        for dx in (0, 14, 28, 42):
            d.rectangle((right - dx - 4, 200, right - dx, 255), fill=20)
    (g,) = grid.find(np.asarray(page))
    assert len(g.rows) == len(ys) - 1
    assert [box[0] for box in g.rows[0]] == pytest.approx(xs[:-1], abs=2)
    assert all(box is not None for row in g.rows for box in row)
