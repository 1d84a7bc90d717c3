"""Draw the brand icons (custom_components/provider_watch/brand/icon*.png)."""

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = Path(__file__).resolve().parents[2] / "custom_components/provider_watch/brand"


def draw(size: int) -> Image.Image:
    scale = size / 256
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    # a shield
    shield = [(128, 12), (228, 48), (220, 150), (128, 244), (36, 150), (28, 48)]
    pen.polygon([(x * scale, y * scale) for x, y in shield], fill=(3, 169, 244, 255))
    # a heartbeat line across it, broken in the middle: "the signal went quiet"
    line = [(52, 132), (92, 132), (108, 96), (126, 168), (140, 132)]
    pen.line(
        [(x * scale, y * scale) for x, y in line],
        fill="white",
        width=int(14 * scale),
        joint="curve",
    )
    pen.line(
        [(164 * scale, 132 * scale), (204 * scale, 132 * scale)],
        fill="white",
        width=int(14 * scale),
    )
    return image


def main() -> None:
    BRAND.mkdir(parents=True, exist_ok=True)
    draw(256).save(BRAND / "icon.png")
    draw(512).save(BRAND / "icon@2x.png")


if __name__ == "__main__":
    main()
