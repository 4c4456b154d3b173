"""Draw the application icon: 河 on a blue tile above two waves.

    python tools/make_icon.py      # writes resources/icons/hzdesk.png and hzdesk.ico

Kept as a script so the icon can be redrawn (another colour, another character) without an
image editor; the outputs are committed so that building needs nothing but PyInstaller.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
FONT = ROOT / "resources" / "fonts" / "WenQuanYiZenHei.ttf"
SIZE = 512  # drawn large, scaled down for each icon size


def draw() -> Image.Image:
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    tile = Image.new("RGBA", (SIZE, SIZE))
    top, bottom = (38, 128, 206), (18, 86, 160)
    g = ImageDraw.Draw(tile)
    for y in range(SIZE):  # vertical gradient
        t = y / (SIZE - 1)
        g.line([(0, y), (SIZE, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)) + (255,))
    mask = Image.new("L", (SIZE, SIZE), 0)
    ImageDraw.Draw(mask).rounded_rectangle([8, 8, SIZE - 8, SIZE - 8], radius=96, fill=255)
    img.paste(tile, (0, 0), mask)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), 300)
    box = d.textbbox((0, 0), "河", font=font)
    w = box[2] - box[0]
    d.text(((SIZE - w) / 2 - box[0], 40 - box[1]), "河", font=font, fill=(255, 255, 255, 255))
    for i, y in enumerate((392, 440)):  # two waves under the character
        points = []
        for x in range(70, SIZE - 69, 4):
            points.append((x, y + 14 * math.sin((x - 70) / (SIZE - 140) * 4 * math.pi + i * 1.2)))
        d.line(points, fill=(255, 255, 255, 235 - 60 * i), width=18, joint="curve")
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    img = draw()
    img.resize((256, 256), Image.LANCZOS).save(OUT / "hzdesk.png")
    img.save(OUT / "hzdesk.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print(f"已写出 {OUT / 'hzdesk.png'} 和 {OUT / 'hzdesk.ico'}")


if __name__ == "__main__":
    main()
