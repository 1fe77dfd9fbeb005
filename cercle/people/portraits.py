"""Generated portraits: a stylised head and shoulders on a coloured background.

The demo's people need faces, and a demo must not ship photographs of real people.
`portrait(handle)` draws one with Pillow: the same handle always gives the same
picture (the drawing is seeded by a digest of the handle, never by Python's hash()),
and different handles differ in background, skin tone, hair (style and colour),
clothes and sometimes glasses. The result is a PNG that `check_avatar` accepts, so it
is stored as a member's photo exactly as an uploaded one is.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

SIDE = 160  # pixels of the stored picture: sharp up to 80 CSS pixels on a 2x screen
SCALE = 3  # drawn three times larger, then reduced: smooth edges without anti-aliasing

BACKGROUNDS = (
    "#cfe3f0", "#f6d9c9", "#d9ead3", "#e6dcf2", "#f9e6b3", "#cde8e5",
    "#f3d1dc", "#dfe4ea", "#e8dcc9", "#d4e1f7", "#f1e0d0", "#d8efd9",
)  # fmt: skip
SKIN = ("#f8d9c0", "#f1c7a3", "#e0ac87", "#c68a62", "#a56b46", "#7d4a2e", "#5b3520")
HAIR = ("#1f1b18", "#3b2a20", "#5a3b24", "#8a5a2b", "#b5773a", "#d9b46a", "#9a9a9a", "#6e2f1c")
CLOTHES = (
    "#2f5d8a", "#8a3b3b", "#2e6b4f", "#5b4a8a", "#b0632b", "#36454f",
    "#7a2e5c", "#1f6f78", "#6b5b2e", "#3d3d6b",
)  # fmt: skip
STYLES = ("short", "long", "bun", "curly", "side", "cropped")


def _rng(handle: str) -> random.Random:
    seed = int.from_bytes(hashlib.sha256(f"portrait:{handle}".encode()).digest()[:8], "big")
    return random.Random(seed)  # noqa: S311 - a drawing, not a secret


class _Canvas:
    """Drawing on a 100-unit square, whatever the picture's size in pixels."""

    def __init__(self, background: str) -> None:
        self.side = SIDE * SCALE
        self.image = Image.new("RGB", (self.side, self.side), background)
        self.draw = ImageDraw.Draw(self.image)

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        k = self.side / 100
        return (round(x0 * k), round(y0 * k), round(x1 * k), round(y1 * k))

    def point(self, x: float, y: float) -> tuple[int, int]:
        k = self.side / 100
        return (round(x * k), round(y * k))

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.image.reduce(SCALE).save(buffer, format="PNG")
        return buffer.getvalue()


@dataclass(frozen=True)
class _Head:
    left: float
    right: float
    top: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def hairline(self) -> float:
        return self.top + (self.bottom - self.top) * 0.3


def portrait(handle: str) -> bytes:
    """A PNG portrait for `handle`, always the same for the same handle."""
    rng = _rng(handle)
    canvas = _Canvas(rng.choice(BACKGROUNDS))
    skin, hair, clothes = rng.choice(SKIN), rng.choice(HAIR), rng.choice(CLOTHES)
    style = rng.choice(STYLES)
    glasses = rng.random() < 0.25
    width = rng.uniform(33, 37)
    top = rng.uniform(19, 22)
    head = _Head(50 - width / 2, 50 + width / 2, top, top + width * 1.2)
    if style == "long":  # hair falling behind the shoulders, drawn first
        canvas.draw.rounded_rectangle(
            canvas.box(head.left - 4, head.top - 2, head.right + 4, head.bottom + 12), 30, hair
        )
    _body(canvas, head, skin, clothes)
    _hair(canvas, head, style, hair)
    _face(canvas, head, glasses)
    return canvas.png()


def _body(canvas: _Canvas, head: _Head, skin: str, clothes: str) -> None:
    """Shoulders, neck, ears and the head itself."""
    box, draw, bottom = canvas.box, canvas.draw, head.bottom
    draw.ellipse(box(8, bottom + 5, 92, bottom + 75), clothes)
    draw.rectangle(box(43.5, bottom - 8, 56.5, bottom + 8), skin)
    draw.pieslice(box(41.5, bottom, 58.5, bottom + 13), 0, 180, skin)
    ear_top = head.top + (bottom - head.top) * 0.42
    draw.ellipse(box(head.left - 3, ear_top, head.left + 5, ear_top + 11), skin)
    draw.ellipse(box(head.right - 5, ear_top, head.right + 3, ear_top + 11), skin)
    draw.ellipse(box(head.left, head.top, head.right, bottom), skin)


def _hair(canvas: _Canvas, head: _Head, style: str, hair: str) -> None:
    box, draw = canvas.box, canvas.draw
    left, right, top, hairline = head.left, head.right, head.top, head.hairline
    cap = box(left - 1.5, top - 3, right + 1.5, 2 * hairline - top + 3)
    if style == "cropped":
        draw.chord(box(left + 1, top - 1, right - 1, 2 * hairline - top - 2), 180, 360, hair)
        return
    draw.chord(cap, 180, 360, hair)
    if style == "curly":
        for step in range(7):
            x = left + step * head.width / 6
            draw.ellipse(box(x - 6.5, top - 8, x + 6.5, top + 5), hair)
        for x in (left, right):
            draw.ellipse(box(x - 5, top + 2, x + 5, hairline + 6), hair)
    elif style == "bun":
        draw.ellipse(box(43, top - 14, 57, top), hair)
    elif style == "side":
        fringe = [
            (left - 1, hairline + 4),
            (46, top - 2),
            (right - 2, hairline - 2),
            (58, hairline),
        ]
        draw.polygon([canvas.point(x, y) for x, y in fringe], hair)
    else:  # short and long: the hair comes down beside the ears
        depth = hairline + (14 if style == "long" else 5)
        draw.rectangle(box(left - 1.5, hairline - 1, left + 3, depth), hair)
        draw.rectangle(box(right - 3, hairline - 1, right + 1.5, depth), hair)


def _face(canvas: _Canvas, head: _Head, glasses: bool) -> None:
    """A calm face: two eyes, a small smile, sometimes glasses."""
    box, draw = canvas.box, canvas.draw
    height = head.bottom - head.top
    eye_y = head.top + height * 0.55
    gap = head.width * 0.2
    line = round(SCALE * 1.4)
    for x in (50 - gap, 50 + gap):
        draw.ellipse(box(x - 1.7, eye_y - 1.7, x + 1.7, eye_y + 1.7), "#2a211c")
        if glasses:
            draw.ellipse(box(x - 5, eye_y - 4, x + 5, eye_y + 4), outline="#2a2a2a", width=line)
    if glasses:
        draw.line(box(50 - gap + 5, eye_y, 50 + gap - 5, eye_y), "#2a2a2a", line)
    mouth_y = head.top + height * 0.76
    draw.arc(box(45, mouth_y - 4, 55, mouth_y + 3), 20, 160, "#8c4a3c", round(SCALE * 1.8))
