"""The Discovered card and the discovery confirm form (part of the browser pass).

The test-only integration pw_test_provider (tests/testing_config/custom_components,
linked into the config folder; `hass` runs there) plays the provider's own,
cloud-connected integration: one of its entries ("Ring", two devices) is added over
the REST API, Provider Watch offers it as a discovered flow, and the integrations
dashboard shows it under "Discovered" with its name and device count
(artifacts/discovered.png). The card's Add button opens the confirm form
(artifacts/discovery-confirm.png), which is submitted: Provider Watch's entry
"Ring" is created and loaded.
"""

import re
from typing import Any

from playwright.async_api import Page

from .e2e import check
from .e2e_ui import DOCS, DOMAIN, entry_loaded, open_page, shot, strings, until
from .provision import HomeAssistantApi

TEST_DOMAIN = "pw_test_provider"
ACCOUNT = "Ring"


async def _offer(api: HomeAssistantApi, entry_id: str) -> Any:
    async def probe() -> dict[str, Any] | None:
        flows = await api.ws({"type": "config_entries/flow/progress"})
        return next(
            (
                f
                for f in flows
                if f["handler"] == DOMAIN
                and f["context"].get("source") == "integration_discovery"
                and f["context"].get("unique_id") == f"integration_{entry_id}"
            ),
            None,
        )

    return await until(f"{ACCOUNT} offered as a discovered flow", probe)


async def discovered(
    page: Page, base: str, api: HomeAssistantApi, docs: bool = False
) -> None:
    """The provider's integration installed: Discovered card, confirm form, entry."""
    account = await api.config_flow(TEST_DOMAIN, {"name": ACCOUNT})
    check(account.get("type") == "create_entry", f"{TEST_DOMAIN}: {ACCOUNT} set up")
    offer = await _offer(api, account["result"]["entry_id"])
    config = strings("en")["config"]
    label = config["flow_title"].format(**offer["context"]["title_placeholders"])
    check(label == f"{ACCOUNT} (2 devices)", f"the offer is called {label!r}")

    card = page.locator("ha-config-flow-card").filter(has_text=label)
    await open_page(page, base + "/config/integrations/dashboard", card, label)
    await shot(page, "discovered", docs=DOCS / "discovered.png" if docs else None)

    await card.get_by_role("button", name="Add", exact=True).click()
    heading = config["step"]["integration_confirm"]["title"].format(integration=ACCOUNT)
    await page.get_by_text(heading).first.wait_for(state="visible")
    devices = config["step"]["integration_confirm"]["data"]["devices"]
    await page.get_by_text(devices).first.wait_for(state="visible")
    await shot(page, "discovery-confirm")

    await page.get_by_role("button", name=re.compile("^(Submit|Next)$")).click()
    done = page.get_by_role("button", name=re.compile("^(Finish|Close)$")).first
    await done.click()
    await done.wait_for(state="hidden")
    entry_id = await entry_loaded(api, ACCOUNT)
    entry = next(e for e in await api.entries(DOMAIN) if e["entry_id"] == entry_id)
    check(
        entry["num_subentries"] == 2,
        f"confirmed in the browser: provider {ACCOUNT!r}, one system per device",
    )
