"""Regenerate patterns/charmap.json: the character map normalize.py applies.

Kangxi radicals (U+2F00-U+2FD5) are taken from Unicode's own compatibility decompositions;
the CJK Radicals Supplement has none for most characters, so those are listed by hand
below (only look-alikes that stand for a real simplified/traditional ideograph). Full-width
digits, Latin letters and the ASCII-like operators become ASCII; Chinese punctuation
(，。；：（）“”) is deliberately kept so quotes stay readable.
"""
import json
import unicodedata
from pathlib import Path

SUPPLEMENT = {
    "⺀": "冫", "⺁": "厂", "⺇": "几", "⺊": "卜", "⺌": "小", "⺍": "小", "⺎": "兀", "⺏": "尢",
    "⺐": "尢", "⺑": "尢", "⺒": "巳", "⺓": "幺", "⺔": "彑", "⺕": "彐", "⺖": "忄", "⺗": "心",
    "⺘": "扌", "⺙": "攵", "⺛": "旡", "⺜": "日", "⺝": "月", "⺞": "歹", "⺟": "母", "⺠": "民",
    "⺡": "氵", "⺢": "氺", "⺣": "灬", "⺤": "爫", "⺥": "爫", "⺦": "丬", "⺧": "牛", "⺨": "犭",
    "⺩": "王", "⺪": "疋", "⺫": "罒", "⺬": "示", "⺭": "礻", "⺮": "竹", "⺯": "糸", "⺰": "纟",
    "⺱": "罒", "⺲": "罒", "⺳": "网", "⺴": "网", "⺵": "网", "⺶": "羊", "⺷": "羊", "⺸": "羊",
    "⺹": "耂", "⺺": "聿", "⺻": "聿", "⺼": "肉", "⺽": "臼", "⺾": "艹", "⺿": "艹", "⻀": "艹",
    "⻁": "虎", "⻂": "衤", "⻃": "覀", "⻄": "西", "⻅": "见", "⻆": "角", "⻇": "角", "⻈": "讠",
    "⻉": "贝", "⻊": "足", "⻋": "车", "⻌": "辶", "⻍": "辶", "⻎": "辶", "⻏": "阝", "⻐": "金",
    "⻑": "長", "⻒": "長", "⻓": "长", "⻔": "门", "⻕": "阝", "⻖": "阝", "⻗": "雨", "⻘": "青",
    "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食", "⻞": "食", "⻟": "食", "⻠": "饣",
    "⻡": "首", "⻢": "马", "⻣": "骨", "⻤": "鬼", "⻥": "鱼", "⻦": "鸟", "⻧": "卤", "⻨": "麦",
    "⻩": "黄", "⻪": "黾", "⻫": "齐", "⻬": "齐", "⻭": "齿", "⻮": "齿", "⻯": "龙", "⻰": "龙",
    "⻱": "龟", "⻲": "龟", "⻳": "龟",
}
# NFKC sends these Kangxi radicals to traditional forms (⾧ -> 長). The reports are set in
# simplified fonts, where the glyph behind the radical code point is the simplified one.
SIMPLIFIED_KANGXI = {
    "⾧": "长", "⾨": "门", "⾴": "页", "⾵": "风", "⾶": "飞", "⾺": "马", "⿂": "鱼", "⿃": "鸟",
    "⿆": "麦", "⿈": "黄", "⿑": "齐", "⿒": "齿", "⿓": "龙", "⿔": "龟", "⾒": "见", "⾙": "贝",
    "⾞": "车", "⾱": "韦", "⿌": "黾", "⾭": "青", "⼾": "户", "⾾": "斗", "⿄": "卤",
}
ASCII_LIKE = {"％": "%", "．": ".", "＋": "+", "－": "-", "＜": "<", "＞": ">", "＝": "=",
              "～": "~", "／": "/", "﹪": "%", "\u3000": " ", "\u00a0": " ", "，": "，"}


def build() -> dict:
    table = {}
    for cp in range(0x2F00, 0x2FD6):
        ch = chr(cp)
        table[ch] = unicodedata.normalize("NFKC", ch)
    table.update(SIMPLIFIED_KANGXI)
    table.update(SUPPLEMENT)
    for cp in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B)):
        table[chr(cp)] = chr(cp - 0xFEE0)
    table.update({k: v for k, v in ASCII_LIKE.items() if k != v})
    return {"description": __doc__.strip(), "map": table}


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "patterns" / "charmap.json"
    out.write_text(json.dumps(build(), ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
