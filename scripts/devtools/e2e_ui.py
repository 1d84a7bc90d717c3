"""What the browser pass's steps share: waiting, typing, screenshots, our strings.

Every wait is on a condition (a locator shown, the page's animations finished, an
answer from Home Assistant's API), never on a fixed time.
"""

import asyncio
from functools import cache
import json
from pathlib import Path
import re
from typing import Any

from playwright.async_api import Locator, Page, TimeoutError as PlaywrightTimeout

from .e2e import REPO, check
from .provision import HomeAssistantApi

ARTIFACTS = REPO / "artifacts"
DOCS = REPO / "docs"
TRANSLATIONS = REPO / "custom_components/provider_watch/translations"
DOMAIN = "provider_watch"
PROVIDER = "Acme Alarm"
POLL = 0.25  # s between two looks at Home Assistant's API
RAW_KEY = re.compile(
    r"\b(config|config_subentries|options)\.step\.[a-z_]+\.(data|title)\b"
)
# every finite animation (a dialog sliding in, a ripple) has finished
SETTLED = """
() => document.getAnimations().every(
  (a) => a.playState !== "running"
    || a.effect?.getComputedTiming().iterations === Infinity)
"""


@cache
def strings(language: str) -> dict[str, Any]:
    """Our translations in this language (translations/<language>.json)."""
    data: dict[str, Any] = json.loads(
        (TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")
    )
    return data


async def shot(page: Page, name: str, docs: Path | None = None) -> None:
    """A full-page screenshot in artifacts/ (and a small one in docs/, if asked)."""
    ARTIFACTS.mkdir(exist_ok=True)
    await page.wait_for_function(SETTLED)  # the dialog has stopped moving
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    text = await page.locator("body").inner_text()
    check(not RAW_KEY.search(text), f"{name}: no raw translation keys on screen")
    print(f"  screenshot: artifacts/{name}.png", flush=True)
    if docs is not None:
        await page.screenshot(path=str(docs))
        shrink(docs)
        print(f"  screenshot: {docs.relative_to(REPO)}", flush=True)


def shrink(png: Path, width: int = 960) -> None:
    """A screenshot for the docs: at most `width` px wide, in 256 colours."""
    from PIL import Image  # noqa: PLC0415 (Home Assistant's; only for --docs)

    with Image.open(png) as image:
        small = image.convert("RGB")
        if small.width > width:
            height = round(small.height * width / small.width)
            small = small.resize((width, height), Image.Resampling.LANCZOS)
        small = small.quantize(colors=256)
    small.save(png, optimize=True)


def field_name(label: str) -> re.Pattern[str]:
    """A field's accessible name (required fields show a trailing *)."""
    return re.compile(rf"^{re.escape(label)}\*?$")


async def fill(page: Page, label: str, value: str) -> None:
    """Type into the field with this label."""
    await page.get_by_role("textbox", name=field_name(label)).first.fill(value)


async def until(what: str, probe: Any, timeout: float = 60) -> Any:
    """Look at Home Assistant's API until probe() answers (not None); its answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (answer := await probe()) is None:
        if loop.time() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        await asyncio.sleep(POLL)
    return answer


async def entry_loaded(api: HomeAssistantApi, title: str = PROVIDER) -> Any:
    """The id of our config entry with this title, once it is loaded."""

    async def probe() -> str | None:
        entries = await api.entries(DOMAIN)
        loaded = [e for e in entries if e["state"] == "loaded" and e["title"] == title]
        return loaded[0]["entry_id"] if loaded else None

    return await until(f"the config entry {title!r} to be loaded", probe)


async def open_page(page: Page, url: str, target: Locator, what: str) -> None:
    """Go to a page and wait for what is needed on it; again if it does not show
    (once the integration's page was left for the dashboard: issue 18, item 8)."""
    for attempt in range(3):
        await page.goto(url)
        try:
            await target.wait_for(state="visible", timeout=20_000)
        except PlaywrightTimeout:
            print(f"  (no {what} at {page.url} yet, attempt {attempt + 1})")
            continue
        return
    raise TimeoutError(f"{what} never showed at {url} (last at {page.url})")
