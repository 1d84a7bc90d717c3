"""The real frontend in a real browser: add a provider and a monitored system.

    python -m scripts.devtools.e2e_browser

Debian's Chromium (headless, no downloads) driven by Playwright logs in to a real
`hass` on 127.0.0.1, opens Settings -> Devices & services -> Add integration ->
Provider Watch, fills the provider form, the internet-check step and the "Add
monitored system" subentry form, and saves a screenshot of each form and of the
system's device page to artifacts/. It fails when a form shows a raw translation key
instead of our labels.
"""

import asyncio
import re
import shutil
import sys
import time

import aiohttp
from playwright.async_api import Page, async_playwright

from .e2e import HOST, PASSWORD, REPO, USER, FailedError, Hass, check, free_port
from .provision import HomeAssistantApi, prepare_config
from .simdevice import Device

WORK = REPO / ".toolchain" / "e2e-browser"
ARTIFACTS = REPO / "artifacts"
CHROMIUM = "/usr/bin/chromium"
RAW_KEY = re.compile(
    r"\b(config|config_subentries|options)\.step\.[a-z_]+\.(data|title)\b"
)
CONFIGURATION = """
homeassistant:
  name: Provider Watch browser
  latitude: 0
  longitude: 0
  elevation: 0
  unit_system: metric
  time_zone: UTC
  country: US
  currency: USD
  language: en
frontend:
config:
logger:
  default: warning
"""


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.wait_for_timeout(800)  # let the dialog's animation settle
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    text = await page.locator("body").inner_text()
    check(not RAW_KEY.search(text), f"{name}: no raw translation keys on screen")
    print(f"  screenshot: artifacts/{name}.png", flush=True)


async def fill(page: Page, label: str, value: str) -> None:
    """Type into the field with this label (required fields show a trailing *)."""
    name = re.compile(rf"^{re.escape(label)}\*?$")
    await page.get_by_role("textbox", name=name).first.fill(value)


async def run() -> int:
    shutil.rmtree(WORK, ignore_errors=True)
    config = WORK / "config"
    (config / "custom_components").mkdir(parents=True)
    (config / "custom_components/provider_watch").symlink_to(
        REPO / "custom_components/provider_watch"
    )
    port = free_port()
    (config / "configuration.yaml").write_text(CONFIGURATION)
    prepare_config(config, port)
    device = Device(free_port())
    internet = Device(free_port(), "up")
    await device.on()
    await internet.on()
    hass = Hass(config, port)
    base = f"http://{HOST}:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, base)
            await hass.start()
            await api.wait_until_up(timeout=300)
            await api.onboard_or_login("Owner", USER, PASSWORD)
            await api.wait_for_components("frontend", "config")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-quic",
                ],
            )
            page = await browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(30_000)
            try:
                await _walk(page, base, internet, device)
            except Exception:
                await _failure_shot(page)
                raise
            await browser.close()
    except (FailedError, RuntimeError, TimeoutError) as err:
        print(f"e2e --browser: FAILED: {err} (hass log: {hass.log})", flush=True)
        return 1
    except Exception as err:
        print(f"e2e --browser: FAILED: {type(err).__name__}: {err}", flush=True)
        return 1
    finally:
        await hass.kill(15)
        await hass.kill()
        await device.off()
        await internet.off()
    print(
        "e2e --browser: provider and system added through the real frontend", flush=True
    )
    return 0


async def _walk(page: Page, base: str, internet: Device, device: Device) -> None:
    """The clicks a person makes, with a screenshot of each form."""
    await page.goto(base + "/")
    await fill(page, "Username", USER)
    await fill(page, "Password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/(lovelace|home)"), timeout=60_000)

    await page.goto(base + "/config/integrations/dashboard")
    await page.get_by_role("button", name="Add integration").click()
    # the brand picker opens a moment later: type into its own search field (the
    # page's "Search integrations" field is there from the start)
    search = page.get_by_placeholder(re.compile("search for a brand", re.IGNORECASE))
    await search.fill("Provider Watch")
    await page.get_by_text("Provider Watch", exact=True).first.click()
    await page.get_by_text("Add a provider").first.wait_for()
    await fill(page, "Provider name", "Acme Alarm")
    await fill(page, "Support phone", "+1 555 0100")
    await shot(page, "1-provider-form")
    await page.get_by_role("button", name="Submit").click()
    await page.get_by_text("Internet check").first.wait_for()
    # never the public defaults: every target is the 127.0.0.1 stand-in
    targets = page.get_by_role("textbox", name=re.compile("^Targets"))
    for index in range(await targets.count()):
        await targets.nth(index).fill(f"{HOST}:{internet.port}")
    await shot(page, "2-internet-check")
    await page.get_by_role("button", name=re.compile("Submit|Next|Finish")).click()
    await page.get_by_role("button", name=re.compile("Finish|Close|Skip")).first.click()

    # the provider's page: "Add monitored system"
    await page.goto(base + "/config/integrations/integration/provider_watch")
    await page.get_by_text("Add monitored system").first.click()
    await page.get_by_text("Web page or HTTP endpoint").first.click()
    await fill(page, "Name", "Alarm panel")
    await fill(page, "URL", f"http://{HOST}:{device.port}/status")
    await shot(page, "3-monitored-system-form")
    await page.get_by_role("button", name=re.compile("Submit|Next|Finish")).click()
    await page.wait_for_timeout(1500)

    await page.goto(base + "/config/devices/dashboard")
    await page.get_by_text("Alarm panel").first.click()
    await page.get_by_text("Connectivity").first.wait_for()
    await shot(page, "4-device-page")


async def _failure_shot(page: object) -> None:
    if isinstance(page, Page):
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)
        print("  screenshot of the failure: artifacts/failure.png", flush=True)


if __name__ == "__main__":
    started = time.monotonic()
    code = asyncio.run(run())
    print(f"(browser pass took {time.monotonic() - started:.0f} s)")
    sys.exit(code)
