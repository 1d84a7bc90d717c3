"""The provider form in each of our other languages (part of the browser pass).

For each language the logged-in user's language is switched the way the frontend's
profile page does (`frontend/set_user_data`, key `language`), the integration's page
is opened again, its add button (our `config.initiate_flow.user` in that language)
pressed, and the form waited for until its name field carries our label in that
language: the screenshot (artifacts/provider-form-<language>.png) shows our
translation in use, not the English fallback. English is set again at the end.
"""

from playwright.async_api import Page

from .e2e import check
from .e2e_ui import DOCS, DOMAIN, field_name, open_page, shot, strings
from .provision import HomeAssistantApi

LANGUAGES = ("de", "nl", "fr", "es")


async def set_language(api: HomeAssistantApi, language: str) -> None:
    """The user's language, as the profile page saves it."""
    await api.ws(
        {
            "type": "frontend/set_user_data",
            "key": "language",
            "value": {"language": language, "number_format": "language"},
        }
    )


async def provider_forms(
    page: Page, base: str, api: HomeAssistantApi, docs: bool = False
) -> None:
    """A screenshot of the "Add provider" form in each language."""
    english = strings("en")["config"]["step"]["user"]["data"]["name"]
    try:
        for language in LANGUAGES:
            config = strings(language)["config"]
            label = config["step"]["user"]["data"]["name"]
            check(label != english, f"{language}: the name field has its own label")
            await set_language(api, language)
            add = page.get_by_role("button", name=config["initiate_flow"]["user"])
            await open_page(
                page,
                base + f"/config/integrations/integration/{DOMAIN}",
                add.filter(visible=True).first,
                f"{language}: {config['initiate_flow']['user']!r}",
            )
            await add.filter(visible=True).first.click()
            name = page.get_by_role("textbox", name=field_name(label))
            await name.wait_for(state="visible")
            check(
                await name.count() == 1,
                f"{language}: the provider form shows {label!r}",
            )
            target = DOCS / f"provider-form-{language}.png"
            await shot(
                page,
                f"provider-form-{language}",
                docs=target if docs and language == "de" else None,
            )
            await page.keyboard.press("Escape")  # the dialog closes, the flow ends
            await name.wait_for(state="hidden")
    finally:
        await set_language(api, "en")
