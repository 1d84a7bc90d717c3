"""The real frontend in a real browser: add a provider and a monitored system.

    python -m scripts.devtools.e2e_browser [--docs]

Debian's Chromium (headless, no downloads) driven by Playwright logs in to a real
`hass` on 127.0.0.1, opens Settings -> Devices & services -> Add integration ->
Provider Watch, fills the provider form, the internet-check step and the "Add
monitored system" subentry form, and saves a screenshot of each form and of the
system's device page to artifacts/. It fails when a form shows a raw translation key
instead of our labels. It switches the user's language to German, Dutch, French and
Spanish in turn and screenshots the provider form in each (e2e_languages.py:
artifacts/provider-form-<language>.png, our label on screen), then adds an entry of
the test-only provider integration and screenshots the Discovered card and the
confirm form, which it submits (e2e_discovered.py: artifacts/discovered.png,
discovery-confirm.png). --docs also writes docs/provider-form-de.png and
docs/discovered.png (256 colours). Then it presses the provider's Generate report button, opens
the HTML report through the notification's signed link and checks it on screen and
printed (e2e_report.py: artifacts/report.png, report.pdf, report-letter.pdf).

Every step waits for the condition it needs (a field, a button, the page's address,
the config entry loaded, the device registered, the dialog's animations finished),
never for a fixed time: a slow machine only makes the run slower.
"""

import asyncio
import re
import shutil
import sys
import time
from typing import Any

import aiohttp
from playwright.async_api import Browser, Page, async_playwright

from .e2e import HOST, PASSWORD, REPO, USER, FailedError, Hass, check, free_port
from .e2e_discovered import TEST_DOMAIN, discovered
from .e2e_languages import provider_forms
from .e2e_report import CHROMIUM_ARGS, check_report
from .e2e_ui import (
    ARTIFACTS,
    DOMAIN,
    PROVIDER,
    entry_loaded,
    fill,
    open_page,
    shot,
    until,
)
from .provision import HomeAssistantApi, prepare_config
from .simdevice import Device

WORK = REPO / ".toolchain" / "e2e-browser"
CHROMIUM = "/usr/bin/chromium"
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


async def run(docs: bool) -> int:
    shutil.rmtree(WORK, ignore_errors=True)
    config = WORK / "config"
    (config / "custom_components").mkdir(parents=True)
    (config / "custom_components/provider_watch").symlink_to(
        REPO / "custom_components/provider_watch"
    )
    # the provider's own integration, for the Discovered card (hass runs in config/)
    (config / f"custom_components/{TEST_DOMAIN}").symlink_to(
        REPO / f"tests/testing_config/custom_components/{TEST_DOMAIN}"
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
        async with aiohttp.ClientSession() as session, async_playwright() as pw:
            api = HomeAssistantApi(session, base)
            await hass.start()
            await api.wait_until_up(timeout=300)
            await api.onboard_or_login("Owner", USER, PASSWORD)
            await api.wait_for_components("frontend", "config")
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = await browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(30_000)
            try:
                await _walk(page, base, api, internet, device)
                await provider_forms(page, base, api, docs)
                await discovered(page, base, api, docs)
                await _report(browser, base, api)
            except Exception:
                await _failure_shot(page)
                raise
            finally:
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
        "e2e --browser: provider and system added through the real frontend; "
        "the provider form in de, nl, fr, es; the Discovered card confirmed; "
        "the HTML report opened, screenshotted and printed",
        flush=True,
    )
    return 0


async def _device(api: HomeAssistantApi, name: str) -> Any:
    async def probe() -> str | None:
        devices = await api.ws({"type": "config/device_registry/list"})
        named = [d["id"] for d in devices if d["name"] == name]
        return named[0] if named else None

    return await until(f"the device {name!r}", probe)


async def _walk(
    page: Page, base: str, api: HomeAssistantApi, internet: Device, device: Device
) -> None:
    """The clicks a person makes, with a screenshot of each form."""
    await page.goto(base + "/")
    await fill(page, "Username", USER)
    await fill(page, "Password", PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/(lovelace|home)"), timeout=60_000)

    add = page.get_by_role("button", name="Add integration")
    await open_page(
        page, base + "/config/integrations/dashboard", add, "Add integration"
    )
    await add.click()
    # the brand picker opens a moment later: type into its own search field (the
    # page's "Search integrations" field is there from the start)
    search = page.get_by_placeholder(re.compile("search for a brand", re.IGNORECASE))
    await search.fill("Provider Watch")
    await page.get_by_text("Provider Watch", exact=True).first.click()
    await page.get_by_text("Add a provider").first.wait_for()
    await fill(page, "Provider name", PROVIDER)
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
    # the entry is created: the dialog's last step. Closed, the frontend may stay
    # on the dashboard or move on by itself: wait for the dialog to go, and for
    # the entry to be loaded, before going to the integration's page
    done = page.get_by_role("button", name=re.compile("Finish|Close|Skip")).first
    await done.click()
    await done.wait_for(state="hidden")
    await entry_loaded(api)

    # the provider's page: "Add monitored system"
    add_system = page.get_by_text("Add monitored system").filter(visible=True).first
    await open_page(
        page,
        base + f"/config/integrations/integration/{DOMAIN}",
        add_system,
        "Add monitored system",
    )
    await add_system.click()
    await page.get_by_text("Web page or HTTP endpoint").first.click()
    await fill(page, "Name", "Alarm panel")
    await fill(page, "URL", f"http://{HOST}:{device.port}/status")
    await shot(page, "3-monitored-system-form")
    await page.get_by_role("button", name=re.compile("Submit|Next|Finish")).click()
    system = await _device(api, "Alarm panel")

    connectivity = page.get_by_text("Connectivity").first
    await open_page(page, base + f"/config/devices/device/{system}", connectivity, "it")
    await shot(page, "4-device-page")


async def _report(browser: Browser, base: str, api: HomeAssistantApi) -> None:
    """Generate report, as an administrator presses it; the page it links to."""
    entry_id = await entry_loaded(api)
    await api.post(
        "/api/services/button/press",
        {"entity_id": "button.acme_alarm_generate_report"},
    )

    async def link() -> str | None:
        notes = await api.ws({"type": "persistent_notification/get"})
        for note in notes:
            if note["notification_id"] == f"{DOMAIN}_report_{entry_id}":
                # the first link: the page to read or print
                found = re.search(
                    r"\]\((/api/provider_watch/reports/[^)]+)\)", note["message"]
                )
                return found[1] if found else None
        return None

    url = await until("the report's notification", link)
    check(url.split("?")[0].endswith(".html"), "the notification links the HTML report")
    printed = await check_report(browser, base + url, name="report", max_pages=4)
    check(printed[0].pages >= 1, "the report printed")


async def _failure_shot(page: object) -> None:
    if isinstance(page, Page):
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)
        print("  screenshot of the failure: artifacts/failure.png", flush=True)


if __name__ == "__main__":
    started = time.monotonic()
    code = asyncio.run(run("--docs" in sys.argv[1:]))
    print(f"(browser pass took {time.monotonic() - started:.0f} s)")
    sys.exit(code)
