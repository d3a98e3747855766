"""A red seal taken out of a colour scan before OCR.

An official seal (公章) is stamped over the 自评表's signature cells and often over the
figures beside them; read in grey, its ring and characters bury the digits, and its ring
crosses the table's rules. Red ink is bright in the red channel and dark in green and blue,
while black print is dark in all three — so a pixel whose red clearly outweighs both others
is seal; there the red channel, which the ink lets through, stands in for the grey, so the
seal turns to paper and print under it stays dark.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

RED_MARGIN = 50   # red above both green and blue by this much: seal ink, not grey print or paper
MIN_SHARE = 5e-4  # share of the page below which a few reddish pixels are JPEG colour noise, not a seal
DENSE = 20        # percentile of the seal's pixels taken as its densest ink: the ring, inked
                  # harder than the characters, is scaled to paper too instead of staying a grey band


def red_ink(rgb: np.ndarray) -> np.ndarray:
    """Pixels of seal ink in an RGB array (h, w, 3)."""
    r, g, b = (rgb[..., i].astype(np.int16) for i in range(3))
    return (r - np.maximum(g, b) > RED_MARGIN) & (r > 110)


def remove(image: Image.Image) -> tuple[Image.Image, float]:
    """The page in grey with red seal ink turned to paper, and the share of the page that was
    seal (0.0 when the page is grey or holds no seal)."""
    if image.mode not in ("RGB", "RGBA", "P", "CMYK"):
        return image.convert("L"), 0.0
    rgb = np.asarray(image.convert("RGB"))
    gray = np.asarray(image.convert("L")).copy()
    ink = red_ink(rgb)
    share = float(ink.mean())
    if share < MIN_SHARE:
        return Image.fromarray(gray), 0.0
    # a seal's ink has a soft, lighter rim that is barely red: grow the mask by a pixel
    grown = ink.copy()
    grown[1:, :] |= ink[:-1, :]
    grown[:-1, :] |= ink[1:, :]
    grown[:, 1:] |= ink[:, :-1]
    grown[:, :-1] |= ink[:, 1:]
    # seal ink passes red light: under the seal the red channel is the page as it was, only
    # dimmed by the ink; scaled so seal on bare paper comes out as paper, print under it stays.
    # A JPEG scan keeps colour at half resolution, so a stroke of print crossing the seal's
    # ring takes the ring's red and turns light in the red channel; its brightness (grey),
    # kept at full resolution, still shows it dark — whichever of the two, each scaled so
    # that the seal's densest ink on bare paper is paper, is darker is the page under the seal.
    r = rgb[..., 0].astype(np.float32)
    y = gray.astype(np.float32)
    paper = float(np.median(gray))
    scale_r = max(1.0, paper / max(1.0, float(np.percentile(r[ink], DENSE))))
    scale_y = max(1.0, paper / max(1.0, float(np.percentile(y[ink], DENSE))))
    under = np.minimum(r[grown] * scale_r, y[grown] * scale_y)
    gray[grown] = np.clip(under, 0, 255).astype(np.uint8)
    return Image.fromarray(gray), share
