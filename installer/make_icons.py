"""Draw the Workbook icon (a closed book with a "W") as PNG and Windows ICO files.

Run once when the artwork changes, then `python installer/sync_resources.py`; the results are
committed under resources/icons/ (and their copy in the package) so a build never depends on
drawing them."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "resources" / "icons"
FONT = OUT.parent / "fonts" / "DejaVuSans-Bold.ttf"


def draw(size: int) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    pad = size // 10
    d.rounded_rectangle((pad, pad // 2, size - pad, size - pad // 2), radius=size // 10,
                        fill=(31, 78, 121, 255))
    d.rectangle((pad, pad // 2, pad + size // 8, size - pad // 2), fill=(18, 52, 86, 255))
    font = ImageFont.truetype(str(FONT), int(size * 0.5))
    box = d.textbbox((0, 0), "W", font=font)
    x = (size + size // 8 - (box[2] - box[0])) // 2 - box[0]
    y = (size - (box[3] - box[1])) // 2 - box[1]
    d.text((x, y), "W", font=font, fill=(255, 255, 255, 255))
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw(256)
    big.save(OUT / "workbook.png")
    big.save(OUT / "workbook.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64),
                                          (128, 128), (256, 256)])


if __name__ == "__main__":
    main()
