"""The HTML report in a real browser: on screen, and printed on A4 and Letter.

    python -m scripts.devtools.e2e_report [--docs]

The browser pass (e2e_browser.py) opens the report the running Home Assistant
wrote, through the signed link its Generate report action returned, and checks it
with `check_report`. Run alone, this module checks docs/sample-report.html (the
test fixture's report) the same way; --docs also writes docs/report.png, the
screenshot the README shows.

The checks: the page is served as HTML and its heading shows; printed (the print
style sheet, at the printable width of A4 and of Letter with the report's 12 mm
side margins) no element reaches past the page's right edge and nothing scrolls
sideways; the PDFs have their paper's size and a page count within bounds.
Screenshots and PDFs go to artifacts/.
"""

import asyncio
from dataclasses import dataclass
from pathlib import Path
import re
import sys

from playwright.async_api import Browser, Page, async_playwright

from .e2e import REPO, FailedError, check

ARTIFACTS = REPO / "artifacts"
DOCS = REPO / "docs"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
MM = 96 / 25.4  # CSS pixels per millimetre
SIDE_MARGINS_MM = 2 * 12  # report_style.py's @page margin
# paper: (Playwright's format, width mm, height mm, PDF points wide, high)
PAPERS = {
    "A4": ("A4", 210.0, 297.0, (595, 842)),
    "Letter": ("Letter", 215.9, 279.4, (612, 792)),
}
PAGE = re.compile(rb"/Type\s*/Page(?!s)")
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")
# Every element's box against the page's width (1 px for rounding); and anything
# that scrolls sideways (a clipped table, a long word in a cell).
OVERFLOWS = """
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const name = el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
      ? "." + String(el.className).split(" ").join(".") : "");
    if (box.right > width + 1 || box.left < -1) {
      found.push(`${name} spans ${Math.round(box.left)}..${Math.round(box.right)} of ${width}`);
    } else if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible") {
      found.push(`${name} scrolls (${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  if (document.documentElement.scrollWidth > width + 1) {
    found.push(`the page scrolls (${document.documentElement.scrollWidth} > ${width})`);
  }
  return found.slice(0, 10);
}
"""


@dataclass(frozen=True)
class Printed:
    """What a report looked like printed on a paper size."""

    paper: str
    pages: int
    pdf: Path


def pdf_pages(pdf: bytes, size: tuple[int, int]) -> int:
    """The number of pages in a Chromium PDF, each checked to be of this size."""
    pages = len(PAGE.findall(pdf))
    boxes = {(float(w), float(h)) for w, h in MEDIA_BOX.findall(pdf)}
    check(pages >= 1, "the PDF has pages")
    check(
        boxes
        and all(abs(w - size[0]) < 1.5 and abs(h - size[1]) < 1.5 for w, h in boxes),
        f"every PDF page is {size[0]} x {size[1]} pt ({sorted(boxes)})",
    )
    return pages


def _shrink(png: Path) -> None:
    """A screenshot for the docs in 256 colours (a third of the bytes)."""
    from PIL import Image  # noqa: PLC0415 (Home Assistant's; only for --docs)

    with Image.open(png) as image:
        small = image.convert("RGB").quantize(colors=256)
    small.save(png, optimize=True)


async def _no_overflow(page: Page, paper: str, width_mm: float) -> None:
    width = round((width_mm - SIDE_MARGINS_MM) * MM)
    await page.set_viewport_size({"width": width, "height": 1100})
    await page.emulate_media(media="print")
    found = await page.evaluate(OVERFLOWS)
    check(not found, f"{paper}, {width} px printable: no element overflows {found}")


async def check_report(
    browser: Browser,
    url: str,
    *,
    name: str = "report",
    max_pages: int = 12,
    docs_png: Path | None = None,
) -> list[Printed]:
    """Open a report, screenshot it, print it to PDF on A4 and Letter, check both."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = await browser.new_page(viewport={"width": 1100, "height": 1400})
    try:
        response = await page.goto(url, wait_until="load")
        check(response is not None and response.ok, f"{name}: the page opens")
        if response is not None and url.startswith("http"):
            kind = response.headers.get("content-type", "")
            check(kind.startswith("text/html"), f"{name}: served as HTML ({kind})")
        await page.locator("h1").first.wait_for(state="visible")
        await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        print(f"  screenshot: artifacts/{name}.png", flush=True)
        if docs_png is not None:
            await page.screenshot(path=str(docs_png), full_page=False)
            _shrink(docs_png)
            print(f"  screenshot: {docs_png.relative_to(REPO)}", flush=True)
        printed = []
        for paper, (fmt, width_mm, _height, size) in PAPERS.items():
            await _no_overflow(page, f"{name} on {paper}", width_mm)
            suffix = "" if paper == "A4" else f"-{paper.lower()}"
            target = ARTIFACTS / f"{name}{suffix}.pdf"
            pdf = await page.pdf(format=fmt, print_background=True)
            target.write_bytes(pdf)
            pages = pdf_pages(pdf, size)
            check(
                pages <= max_pages,
                f"{name} on {paper}: {pages} page(s), at most {max_pages}",
            )
            print(f"  pdf: artifacts/{target.name} ({pages} pages)", flush=True)
            printed.append(Printed(paper=paper, pages=pages, pdf=target))
        return printed
    finally:
        await page.close()


async def run(docs: bool) -> int:
    sample = DOCS / "sample-report.html"
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                await check_report(
                    browser,
                    sample.as_uri(),
                    name="sample-report",
                    max_pages=6,
                    docs_png=DOCS / "report.png" if docs else None,
                )
            finally:
                await browser.close()
    except FailedError as err:
        print(f"e2e_report: FAILED: {err}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run("--docs" in sys.argv[1:])))
