"""Every translations/*.json against the rules hassfest applies to translations.

hassfest (core's script/hassfest/translations.py, run on a custom integration with
`--integration-path`) refuses the integration when a string holds HTML, a URL, a
placeholder in single quotes or one that is not an identifier, blanks around it, a
reference mixed with text, or when a key is badly named or a part is misshapen. The
same rules are written out here (own code, not hassfest's) so that scripts/test
catches what hassfest would. Then: every other language has exactly en.json's keys
with the same placeholders, and a form's texts ask only for placeholders the form
passes (the frontend shows "Translation error" otherwise).

What the code asks for (steps, fields, errors, aborts, services, entities, issues,
exceptions) is checked in test_translations.py.
"""

from collections.abc import Callable, Iterator
import json
from pathlib import Path
import re
import string
from typing import Any

import probatio as vol
import pytest

from custom_components.provider_watch import const
from custom_components.provider_watch.const import SUBENTRY_SYSTEM, SystemKind
from custom_components.provider_watch.examples import EXAMPLES
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import config_validation as cv

from .helpers import (
    SYSTEM_ID,
    http_system,
    provider_entry,
    start_system_flow,
    start_system_reconfigure,
)

TRANSLATIONS = Path(const.__file__).parent / "translations"
EN_JSON = TRANSLATIONS / "en.json"
LANGUAGES = sorted(TRANSLATIONS.glob("*.json"))

# a translation key (selector options, entities, states, services, fields, devices):
# lower case, digits, - and _, neither doubled nor at either end
TRANSLATION_KEY = re.compile(r"^[a-z0-9]+([-_][a-z0-9]+)*$")
# an address: a scheme and "://" followed by a host, or "www." followed by one
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[\w\[]|\bwww\.\w", re.IGNORECASE)
SINGLE_QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")
REFERENCE = re.compile(r"\[%key:[^%]*%\]")
# entity states and units: hassfest allows no placeholders there
NO_PLACEHOLDERS: dict[str, bool] = {"allow_placeholders": False}

FLOW_STEP_KEYS = {
    "title",
    "description",
    "data",
    "data_description",
    "menu_options",
    "menu_option_descriptions",
    "submit",
    "sections",
}
FLOW_KEYS = {"flow_title", "step", "error", "abort", "progress", "create_entry"}
SECTION_KEYS = {"name", "description", "data", "data_description"}
TOP_LEVEL = {
    "title",
    "config",
    "config_subentries",
    "options",
    "preview_features",
    "selector",
    "device_automation",
    "system_health",
    "config_panel",
    "application_credentials",
    "issues",
    "entity_component",
    "device",
    "entity",
    "exceptions",
    "services",
    "conditions",
    "triggers",
    "conversation",
    "common",
}


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"duplicate keys: {duplicates}")
    return dict(pairs)


def load(path: Path) -> dict[str, Any]:
    return dict(
        json.loads(
            path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys
        )
    )


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def leaves(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{path}.{key}" if path else key)
    else:
        yield path, node


# --- the rules ----------------------------------------------------------------------


def text_problems(text: Any, *, allow_placeholders: bool = True) -> list[str]:
    """Why hassfest would refuse this string (empty: it would not)."""
    if not isinstance(text, str):
        return [f"not a string: {text!r}"]
    problems = []
    if not text:
        problems.append("empty")
    try:
        cv.string_with_no_html(text)
    except vol.Invalid:
        problems.append("HTML")
    if SINGLE_QUOTED_PLACEHOLDER.search(text):
        problems.append("a placeholder in single quotes")
    try:
        names = placeholders(text)
    except ValueError:
        problems.append("unbalanced { }")
        names = set()
    if names and not allow_placeholders:
        problems.append("placeholders where none are filled in")
    problems += [f"placeholder {{{n}}}" for n in names if not n.isidentifier()]
    if REFERENCE.search(text):
        # hassfest wants a reference alone in its string; HA does not resolve any in
        # a custom integration's translations/*.json, so the user would read it
        problems.append("a [%key:…%] reference (shown as is in a custom integration)")
    if text != text.strip():
        problems.append("leading or trailing blanks")
    if URL.search(text):
        problems.append("a URL (use a description placeholder)")
    return problems


class Checker:
    """Walk one translation file as hassfest's schema does; collect problems."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, why: str) -> None:
        self.problems.append(f"{path}: {why}")

    def text(self, path: str, value: Any, *, allow_placeholders: bool = True) -> None:
        for why in text_problems(value, allow_placeholders=allow_placeholders):
            self.fail(path, why)

    def key(self, path: str, key: str, rule: Callable[[str], bool]) -> None:
        if not rule(key):
            self.fail(path, f"key {key!r} is not a valid translation key")

    def table(
        self,
        path: str,
        node: Any,
        key_rule: Callable[[str], bool] | None = None,
        *,
        allow_placeholders: bool = True,
    ) -> None:
        """A flat {key: text} table."""
        if not isinstance(node, dict):
            self.fail(path, "not an object")
            return
        for key, value in node.items():
            if key_rule is not None:
                self.key(path, key, key_rule)
            self.text(f"{path}.{key}", value, allow_placeholders=allow_placeholders)

    def shape(self, path: str, node: Any, allowed: set[str], required=()) -> bool:
        if not isinstance(node, dict):
            self.fail(path, "not an object")
            return False
        for key in set(node) - allowed:
            self.fail(path, f"unexpected key {key!r}")
        for key in set(required) - set(node):
            self.fail(path, f"missing {key!r}")
        return True

    def flow(self, path: str, node: Any, *, subentry: bool = False) -> None:
        allowed = FLOW_KEYS | {"initiate_flow"}
        allowed |= {"entry_type"} if subentry else set()
        required = {"step", "entry_type", "initiate_flow"} if subentry else {"step"}
        if not self.shape(path, node, allowed, required):
            return
        for key in ("flow_title", "entry_type"):
            if key in node:
                self.text(f"{path}.{key}", node[key])
        for key in ("error", "abort", "progress", "create_entry"):
            if key in node:
                self.table(f"{path}.{key}", node[key])
        if "initiate_flow" in node:
            buttons = node["initiate_flow"]
            allowed = set(buttons) if subentry else {"user"}
            if self.shape(f"{path}.initiate_flow", buttons, allowed, {"user"}):
                self.table(f"{path}.initiate_flow", buttons)
        for step_id, step in node.get("step", {}).items():
            self.step(f"{path}.step.{step_id}", step)

    def step(self, where: str, step: Any) -> None:
        if not self.shape(where, step, FLOW_STEP_KEYS):
            return
        for key in ("title", "description", "submit"):
            if key in step:
                self.text(f"{where}.{key}", step[key])
        for key in FLOW_STEP_KEYS - {"title", "description", "submit", "sections"}:
            if key in step:
                self.table(f"{where}.{key}", step[key])
        self.data_descriptions(where, step)
        for name, part in step.get("sections", {}).items():
            at = f"{where}.sections.{name}"
            if not self.shape(at, part, SECTION_KEYS):
                continue
            for key in ("name", "description"):
                if key in part:
                    self.text(f"{at}.{key}", part[key])
            for key in ("data", "data_description"):
                if key in part:
                    self.table(f"{at}.{key}", part[key])
            self.data_descriptions(at, part)

    def data_descriptions(self, path: str, block: dict[str, Any]) -> None:
        for key in set(block.get("data_description", {})) - set(block.get("data", {})):
            self.fail(path, f"data_description {key!r} has no data label")

    def entity(self, path: str, node: Any) -> None:
        if not isinstance(node, dict):
            self.fail(path, "not an object")
            return
        for platform, keys in node.items():
            self.key(path, platform, cv_slug)
            for key, entry in keys.items():
                at = f"{path}.{platform}.{key}"
                self.key(at, key, translation_key)
                allowed = {"name", "state", "state_attributes", "unit_of_measurement"}
                if self.shape(at, entry, allowed):
                    self.entity_texts(at, entry)

    def entity_texts(self, at: str, entry: dict[str, Any]) -> None:
        if "name" in entry:
            self.text(f"{at}.name", entry["name"])
        if "unit_of_measurement" in entry:
            unit = entry["unit_of_measurement"]
            self.text(f"{at}.unit_of_measurement", unit, **NO_PLACEHOLDERS)
        if "state" in entry:
            states = entry["state"]
            self.table(f"{at}.state", states, translation_key, **NO_PLACEHOLDERS)
        for attr, named in entry.get("state_attributes", {}).items():
            self.key(f"{at}.state_attributes", attr, translation_key)
            where = f"{at}.state_attributes.{attr}"
            if not self.shape(where, named, {"name", "state"}):
                continue
            if "name" in named:
                self.text(f"{where}.name", named["name"], **NO_PLACEHOLDERS)
            if "state" in named:
                states = named["state"]
                self.table(f"{where}.state", states, translation_key, **NO_PLACEHOLDERS)

    def services(self, path: str, node: dict[str, Any]) -> None:
        for name, service in node.items():
            at = f"{path}.{name}"
            self.key(path, name, translation_key)
            allowed = {"name", "description", "fields", "sections"}
            if not self.shape(at, service, allowed, {"name", "description"}):
                continue
            for key in ("name", "description"):
                if key in service:
                    self.text(f"{at}.{key}", service[key])
            for group in ("fields", "sections"):
                for key, field in service.get(group, {}).items():
                    self.key(f"{at}.{group}", key, translation_key)
                    keys = {"name", "description", "example"}
                    required = {"name", "description"} if group == "fields" else set()
                    if self.shape(f"{at}.{group}.{key}", field, keys, required):
                        self.table(f"{at}.{group}.{key}", field)

    def check(self, data: dict[str, Any]) -> list[str]:
        self.shape("(top)", data, TOP_LEVEL)
        if "title" in data:
            self.text("title", data["title"])
        if "config" in data:
            self.flow("config", data["config"])
        if "options" in data:
            self.flow("options", data["options"])
        for name, flow in data.get("config_subentries", {}).items():
            self.key("config_subentries", name, cv_slug)
            self.flow(f"config_subentries.{name}", flow, subentry=True)
        self.selectors(data.get("selector", {}))
        self.issues(data.get("issues", {}))
        for table, rule, keys in (
            ("exceptions", cv_slug, {"message"}),
            ("device", translation_key, {"name"}),
        ):
            for key, entry in data.get(table, {}).items():
                self.key(table, key, rule)
                if self.shape(f"{table}.{key}", entry, keys):
                    self.table(f"{table}.{key}", entry)
        if "entity" in data:
            self.entity("entity", data["entity"])
        if "services" in data:
            self.services("services", data["services"])
        for part, table in data.get("device_automation", {}).items():
            self.table(f"device_automation.{part}", table)
        return self.problems

    def selectors(self, node: dict[str, Any]) -> None:
        for name, selector in node.items():
            at = f"selector.{name}"
            self.key("selector", name, cv_slug)
            allowed = {"options", "choices", "unit_of_measurement", "fields"}
            if self.shape(at, selector, allowed):
                for part in allowed - {"fields"}:
                    if part in selector:
                        self.table(f"{at}.{part}", selector[part], translation_key)

    def issues(self, node: dict[str, Any]) -> None:
        for key, issue in node.items():
            at = f"issues.{key}"
            allowed = {"title", "description", "fix_flow"}
            if not self.shape(at, issue, allowed, {"title"}):
                continue
            if ("description" in issue) == ("fix_flow" in issue):
                self.fail(at, "needs either a description or a fix flow")
            self.text(f"{at}.title", issue["title"])
            if "description" in issue:
                self.text(f"{at}.description", issue["description"])
            if "fix_flow" in issue:
                self.flow(f"{at}.fix_flow", issue["fix_flow"])


def translation_key(key: str) -> bool:
    return TRANSLATION_KEY.match(key) is not None


def cv_slug(key: str) -> bool:
    try:
        return cv.slug(key) == key
    except vol.Invalid:
        return False


# --- the rules catch what they should -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Writes to <config>/reports.", "HTML"),
        ("e.g. https://status.example.com.", "a URL"),
        ("e.g. http://192.0.2.10/status", "a URL"),
        ("see www.example.org", "a URL"),
        ("mqtt://broker.local:1883", "a URL"),
        ("Name it '{name}'.", "a placeholder in single quotes"),
        ("Value {0}", "placeholder {0}"),
        ("Value {a-b}", "placeholder {a-b}"),
        ("Broken {brace", "unbalanced { }"),
        (" padded", "leading or trailing blanks"),
        ("", "empty"),
        ("[%key:common::config_flow::data::host%]", "a [%key:…%] reference"),
    ],
)
def test_the_rules_refuse(text: str, why: str) -> None:
    assert any(p.startswith(why) for p in text_problems(text)), text_problems(text)


@pytest.mark.parametrize(
    "text",
    [
        "Enter a full address starting with {http} or {https}, with a valid host.",
        "Each target is host:port or an http(s) URL.",
        "The address to fetch, e.g. `{http_example}`.",
        "Between {start} and {end}: {{literal braces}}.",
        "3 < 5 and a -> b",
    ],
)
def test_the_rules_accept(text: str) -> None:
    assert text_problems(text) == []


def test_the_walk_refuses_misshapen_parts() -> None:
    bad = {
        "config": {"step": {"user": {"data_description": {"host": "The host."}}}},
        "config_subentries": {"system": {"step": {}}},
        "entity": {"sensor": {"Bad_Key": {"state": {"on": "On {x}"}}}},
        "services": {"report": {"name": "Report"}},
        "exceptions": {"x": {"text": "no"}},
        "issues": {"y": {"title": "Y"}},
        "device": {"provider": {"model": "Provider"}},
        "unknown": {},
    }
    problems = "\n".join(Checker().check(bad))
    for expected in (
        "config.step.user: data_description 'host' has no data label",
        "config_subentries.system: missing 'entry_type'",
        "config_subentries.system: missing 'initiate_flow'",
        "entity.sensor.Bad_Key: key 'Bad_Key' is not a valid translation key",
        "entity.sensor.Bad_Key.state.on: placeholders where none are filled in",
        "services.report: missing 'description'",
        "exceptions.x: unexpected key 'text'",
        "issues.y: needs either a description or a fix flow",
        "device.provider: unexpected key 'model'",
        "(top): unexpected key 'unknown'",
    ):
        assert expected in problems, problems


# --- the files ----------------------------------------------------------------------


def test_there_are_translations() -> None:
    assert EN_JSON in LANGUAGES


@pytest.mark.parametrize("path", LANGUAGES, ids=lambda path: path.name)
def test_hassfest_would_accept(path: Path) -> None:
    problems = Checker().check(load(path))  # parses; duplicate keys raise
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def language_problems(english: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """Where a translation differs from en.json in keys or placeholders."""
    theirs, ours = dict(leaves(other)), dict(leaves(english))
    problems = [f"{key}: missing" for key in ours if key not in theirs]
    problems += [f"{key}: not in en.json" for key in theirs if key not in ours]
    problems += [
        f"{key}: {sorted(placeholders(theirs[key]))}, en: {sorted(placeholders(text))}"
        for key, text in ours.items()
        if key in theirs
        and isinstance(theirs[key], str)
        and placeholders(theirs[key]) != placeholders(text)
    ]
    return problems


def test_a_translation_unlike_english_is_caught() -> None:
    english = {"a": {"b": "Hello {name}", "c": "Bye"}}
    other = {"a": {"b": "Hallo {naam}", "d": "Tschüss"}}
    assert language_problems(english, other) == [
        "a.c: missing",
        "a.d: not in en.json",
        "a.b: ['naam'], en: ['name']",
    ]
    same = {"a": {"b": "Hallo {name}", "c": "Tschüss"}}
    assert language_problems(english, same) == []


@pytest.mark.parametrize(
    "path", [p for p in LANGUAGES if p != EN_JSON], ids=lambda path: path.name
)
def test_other_languages_have_english_keys_and_placeholders(path: Path) -> None:
    """A missing key shows English; HA drops one whose placeholders differ."""
    problems = language_problems(load(EN_JSON), load(path))
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


# --- the forms fill in what their texts ask for -------------------------------------


def unfilled(flow: dict[str, Any], result: Any) -> list[str]:
    """Texts of the shown step, and the flow's errors, the form cannot fill in."""
    given = result["description_placeholders"] or {}
    step = flow["step"][result["step_id"]]
    texts = {
        f"step.{result['step_id']}.{key}": text
        for key, text in leaves(step)
        if ".data." not in f".{key}." and not key.startswith("menu_options")
    }
    texts |= {f"error.{key}": text for key, text in flow["error"].items()}
    missing = []
    for where, text in texts.items():
        try:
            text.format_map(given)
        except KeyError as err:
            missing.append(f"{where}: {err}")
    return missing


@pytest.fixture
def system_flow_texts() -> dict[str, Any]:
    return dict(load(EN_JSON)["config_subentries"][SUBENTRY_SYSTEM])


@pytest.mark.parametrize("kind", list(SystemKind))
async def test_each_system_form_fills_in_its_texts(
    hass: HomeAssistant, system_flow_texts: dict[str, Any], kind: SystemKind
) -> None:
    entry = provider_entry({SYSTEM_ID: http_system("http://127.0.0.1:9/")})
    entry.add_to_hass(hass)
    result = await start_system_flow(hass, entry, kind)
    assert unfilled(system_flow_texts, result) == []
    assert set(EXAMPLES) <= set(result["description_placeholders"])


async def test_the_http_form_shows_an_example_address_not_a_link(
    hass: HomeAssistant, system_flow_texts: dict[str, Any]
) -> None:
    entry = provider_entry({SYSTEM_ID: http_system("http://127.0.0.1:9/")})
    entry.add_to_hass(hass)
    for result in (
        await start_system_flow(hass, entry, SystemKind.HTTP),
        await start_system_reconfigure(hass, entry, SYSTEM_ID),
    ):
        step = system_flow_texts["step"][result["step_id"]]
        helper = step["data_description"]["url"]
        shown = helper.format_map(result["description_placeholders"])
        # in backticks: the frontend's Markdown shows code, not a link
        assert shown == "The address to fetch, e.g. `http://192.0.2.10/status`."
        assert unfilled(system_flow_texts, result) == []


async def test_the_provider_form_fills_in_its_texts(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        const.DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert unfilled(load(EN_JSON)["config"], result) == []
    error = load(EN_JSON)["config"]["error"]["invalid_url"]
    assert error.format_map(result["description_placeholders"]) == (
        "Enter a full address starting with http:// or https://, with a valid host."
    )
