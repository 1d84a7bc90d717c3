"""translations/en.json against the code that asks for its strings.

en.json is edited by hand (docs/translations.md); nothing generates it. hassfest's own
rules and the other languages are checked in test_translation_rules.py. These tests
fail when it is not valid JSON, when the code asks for a key it lacks, when a template
asks for a placeholder the code does not fill in, when a message template is no longer
used, or when a field or section shared by several forms reads differently in one.
The code is read with `ast`, not run: keys built at run time (f-strings) are listed in
DYNAMIC_FAMILIES below.
"""

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, is_dataclass
from functools import cache
import json
from pathlib import Path
import string
from typing import Any

import pytest
import yaml

from custom_components.provider_watch import (
    binary_sensor,
    button,
    const,
    event,
    sensor,
    switch,
)
from custom_components.provider_watch.config_flow import PROVIDER_SCHEMA
from custom_components.provider_watch.const import (
    CONF_SYSTEM,
    SUBENTRY_SYSTEM,
    SystemKind,
)
from custom_components.provider_watch.examples import EXAMPLES
from custom_components.provider_watch.kinds import system_schema
from custom_components.provider_watch.logic.integration import Trouble
from custom_components.provider_watch.logic.outages import Notice
from custom_components.provider_watch.logic.report import CAUSES
from custom_components.provider_watch.logic.self_heal import TOLD_REASONS, Action
from custom_components.provider_watch.monitoring.auth import SECRET_FIELDS
from custom_components.provider_watch.options_flow import (
    InternetOptionsFlow,
    provider_options_schema,
    targets_schema,
)
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import SelectSelector

COMPONENT = Path(const.__file__).parent
EN_JSON = COMPONENT / "translations" / "en.json"


# Message templates (alert words, report words, self-heal lines) live in `exceptions`
# next to the real exceptions, under these prefixes (docs/translations.md).
TEMPLATE_PREFIXES = (
    "alert_",
    "action_",
    "summary_",
    "push_failed_",
    "report_",
    "self_heal_",
)

# Keys the code builds with an f-string: prefix -> every value the code can fill in.
DYNAMIC_FAMILIES: dict[str, set[str]] = {
    "self_heal_reason_": {reason.value for reason in TOLD_REASONS},
    "self_heal_did_": {action.value for action in Action},
    "report_summary_cause_": set(CAUSES),
    "report_cause_": set(CAUSES),
    "report_contact_": {"support", "account", "feedback"},
    "report_told_": {notice.value for notice in Notice},
    "alert_cause_integration_": {trouble.value for trouble in Trouble},
}

# Functions that take (key, **placeholders) and return a message template filled in
TEXT_FUNCTIONS = {"text", "texts"}
# Functions that take (texts, key, count, **placeholders): a counted message, whose
# templates are key_one and key_other (logic/text.py)
COUNTED_FUNCTIONS = {"counted"}
PLURAL_FORMS = ("one", "other")
# Functions that take (key, **placeholders) and build a translated exception
EXCEPTION_FUNCTIONS = {"_invalid", "invalid"}
# Functions that take (options, key) and build a select selector
SELECTOR_FUNCTIONS = {"choice"}

# Error keys that two flows show with different words on purpose
ERRORS_WORDED_PER_FLOW = {"missing_credentials", "invalid_duration"}


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"duplicate keys: {duplicates}")
    return dict(pairs)


@cache
def strings() -> dict[str, Any]:
    return dict(
        json.loads(
            EN_JSON.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys
        )
    )


def placeholders(text: str) -> set[str]:
    """The {names} of a template (as str.format reads it: {{ }} are literal)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def leaves(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{path}.{key}" if path else key)
    else:
        yield path, node


def message(key: str) -> str:
    return str(strings()["exceptions"][key]["message"])


# --- the code, read with ast --------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """One place the code asks for a translation."""

    table: str  # "exceptions", "issues", "selector", or "message" (a template)
    key: str  # the key, or an f-string's constant prefix (then `prefix` is True)
    where: str
    prefix: bool = False
    placeholders: frozenset[str] | None = None  # None: not known statically


def _modules() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for path in sorted(COMPONENT.rglob("*.py"))
    }


def _constants(modules: dict[Path, ast.Module]) -> dict[str, str]:
    """Module-level NAME = "text" of every module (names with two values left out)."""
    found: dict[str, set[str]] = defaultdict(set)
    for tree in modules.values():
        for node in tree.body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            value = getattr(node, "value", None)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[target.id].add(value.value)
    return {name: next(iter(v)) for name, v in found.items() if len(v) == 1}


def _call_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


class Reader:
    """Every translation the integration's code asks for."""

    def __init__(self) -> None:
        self.modules = _modules()
        self.constants = _constants(self.modules)
        self.uses: list[Use] = []
        self.literals: set[str] = set()  # every string constant in the code
        for path, tree in self.modules.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    self.literals.add(node.value)
                if isinstance(node, ast.Call):
                    self._call(node, f"{path.relative_to(COMPONENT)}:{node.lineno}")

    def key_of(self, node: ast.expr | None) -> tuple[str, bool] | None:
        """(key, is_prefix) of a literal, a module constant or an f-string."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value, False
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id], False
        if isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return first.value, True
        return None

    @staticmethod
    def _dict_keys(node: ast.expr | None) -> frozenset[str] | None:
        if isinstance(node, ast.Dict) and all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys
        ):
            return frozenset(k.value for k in node.keys if isinstance(k, ast.Constant))
        return None

    def _add(
        self,
        table: str,
        node: ast.expr | None,
        where: str,
        found: frozenset[str] | None = None,
    ) -> None:
        if (key := self.key_of(node)) is not None:
            self.uses.append(Use(table, key[0], where, key[1], found))

    def _call(self, call: ast.Call, where: str) -> None:
        name = _call_name(call)
        keywords = {kw.arg: kw.value for kw in call.keywords}
        named = frozenset(k for k in keywords if k is not None)
        filled = None if None in keywords else named
        if name in TEXT_FUNCTIONS and call.args:
            self._add("message", call.args[0], where, filled)
        elif name in COUNTED_FUNCTIONS and len(call.args) > 1:
            key = self.key_of(call.args[1])
            if key is not None and not key[1]:
                given = None if filled is None else filled | {"count"}
                for form in PLURAL_FORMS:
                    self.uses.append(
                        Use(
                            "message",
                            f"{key[0]}_{form}",
                            where,
                            prefix=False,
                            placeholders=given,
                        )
                    )
        elif name in EXCEPTION_FUNCTIONS and call.args:
            self._add("exceptions", call.args[0], where, filled)
        elif name in SELECTOR_FUNCTIONS and len(call.args) > 1:
            self._add("selector", call.args[1], where)
        elif "translation_key" in keywords and not name.endswith("Description"):
            # (entity descriptions: test_entity_descriptions_are_translated)
            given = self._dict_keys(keywords.get("translation_placeholders"))
            if "translation_placeholders" not in keywords:
                given = frozenset()
            if name in {"async_create_issue", "create_issue"}:
                table = "issues"
            elif name.endswith("SelectorConfig"):
                table = "selector"
            else:  # HomeAssistantError and its kin
                table = "exceptions"
            self._add(table, keywords["translation_key"], where, given)

    def _placeholders(self, node: ast.expr | None) -> frozenset[str] | None:
        """The placeholders a form passes: a dict, or form_placeholders(...).

        None: not known statically (a variable, or ** of one). A form that passes
        nothing, or not through form_placeholders(), passes no example address.
        """
        if node is None:
            return frozenset()
        if isinstance(node, ast.Call) and _call_name(node) == "form_placeholders":
            if any(kw.arg is None for kw in node.keywords):
                return None
            return frozenset(EXAMPLES) | {str(kw.arg) for kw in node.keywords}
        return self._dict_keys(node) or frozenset()

    def flow_uses(self, filename: str) -> Iterator[tuple[str, str, str, Any]]:
        """(what, key, where, placeholders) of one flow module.

        what: "step" (step_id=), "abort" (reason=), "error" (errors[...] = "key").
        """
        path = COMPONENT / filename
        for node in ast.walk(self.modules[path]):
            where = f"{filename}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                keywords = {kw.arg: kw.value for kw in node.keywords}
                name = _call_name(node)
                if name in {"async_show_form", "async_show_menu"}:
                    key = self.key_of(keywords.get("step_id"))
                    if key is not None and not key[1]:
                        given = self._placeholders(
                            keywords.get("description_placeholders")
                        )
                        yield "step", key[0], where, given
                if name == "async_abort":
                    key = self.key_of(keywords.get("reason"))
                    if key is not None:
                        yield "abort", key[0], where, None
            if (
                isinstance(node, ast.Assign)
                and isinstance(target := node.targets[0], ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id == "errors"
                and (key := self.key_of(node.value)) is not None
            ):
                yield "error", key[0], where, None


@pytest.fixture(scope="module")
def code() -> Reader:
    return Reader()


def lookup(table: str, key: str) -> Any:
    if table == "message":
        table = "exceptions"
    node: Any = strings()
    for part in table.split("."):
        node = node.get(part, {})
    return node.get(key)


def texts_placeholders(node: Any) -> set[str]:
    """Every placeholder of every text in a part of en.json."""
    return {name for _, text in leaves(node) for name in placeholders(text)}


def step_placeholders(step: dict[str, Any]) -> set[str]:
    """What a step's title, description, helpers and sections ask for (not labels)."""
    shown = {k: v for k, v in step.items() if k not in {"data", "menu_options"}}
    shown["sections"] = {
        name: {k: v for k, v in part.items() if k != "data"}
        for name, part in step.get("sections", {}).items()
    }
    return texts_placeholders(shown)


def template_placeholders(table: str, entry: Any) -> set[str]:
    if table in {"exceptions", "message"}:
        return placeholders(entry["message"])
    if table == "issues":
        return placeholders(entry["title"]) | placeholders(entry["description"])
    return set()


# --- the file itself ----------------------------------------------------------------


def test_en_json_parses_without_duplicate_keys() -> None:
    """(hassfest's rules, and other languages: test_translation_rules.py)"""
    assert strings()["config"]["step"]


# --- keys the code asks for ---------------------------------------------------------


def test_every_key_the_code_asks_for_exists(code: Reader) -> None:
    missing = []
    for use in code.uses:
        table = "exceptions" if use.table == "message" else use.table
        node: Any = strings()
        for part in table.split("."):
            node = node.get(part, {})
        if use.prefix:
            if use.key not in DYNAMIC_FAMILIES:
                missing.append(
                    f"{use.where}: f-string key {use.key}…: list its values in "
                    "DYNAMIC_FAMILIES (tests/test_translations.py)"
                )
                continue
            missing += [
                f"{use.where}: {table}.{use.key}{value}"
                for value in sorted(DYNAMIC_FAMILIES[use.key])
                if f"{use.key}{value}" not in node
            ]
        elif use.key not in node:
            missing.append(f"{use.where}: {table}.{use.key}")
    assert not missing, "\n".join(missing)
    # the reader found the code's calls at all
    tables = {use.table for use in code.uses}
    assert {"message", "exceptions", "issues", "selector"} <= tables


def test_templates_ask_only_for_what_the_code_fills_in(code: Reader) -> None:
    wrong = []
    for use in code.uses:
        if use.prefix or use.placeholders is None:
            continue
        entry = lookup(use.table, use.key)
        if entry is None or use.table == "selector":
            continue
        # a translation may leave out what the code offers, never ask for more
        needed = template_placeholders(use.table, entry)
        if not needed <= use.placeholders:
            wrong.append(
                f"{use.where}: {use.key} has {sorted(needed)}, "
                f"the code fills in {sorted(use.placeholders)}"
            )
    assert not wrong, "\n".join(wrong)


def test_dynamic_keys_fill_in_the_same_placeholders(code: Reader) -> None:
    wrong = []
    for use in code.uses:
        if not (use.prefix and use.table == "message") or use.placeholders is None:
            continue
        for value in DYNAMIC_FAMILIES.get(use.key, ()):
            needed = placeholders(message(f"{use.key}{value}"))
            if not needed <= use.placeholders:
                wrong.append(f"{use.where}: {use.key}{value} needs {sorted(needed)}")
    assert not wrong, "\n".join(wrong)


def test_flows_ask_for_steps_errors_and_aborts_that_exist(code: Reader) -> None:
    config, options = strings()["config"], strings()["options"]
    system = strings()["config_subentries"][SUBENTRY_SYSTEM]
    flows = {
        "config_flow.py": (config,),  # the provider flow
        "options_flow.py": (options,),
        "subentry_flow.py": (system,),
        **{
            f"kinds/{path.name}": (system,)  # the kinds' own form errors
            for path in sorted((COMPONENT / "kinds").glob("*.py"))
        },
    }
    missing = []
    for filename, tables in flows.items():
        for what, key, where, given in code.flow_uses(filename):
            found = [t[what][key] for t in tables if key in t.get(what, {})]
            if not found:
                missing.append(f"{where}: {what} {key}")
            elif what == "step":
                # the frontend fills a step's texts and the flow's errors with the
                # step's placeholders: each one they ask for must be given
                needed = step_placeholders(found[0])
                needed |= {n for t in tables for n in texts_placeholders(t["error"])}
                # None: form_placeholders(**own): the examples and what it adds
                known = given
                if known is None:
                    known = frozenset(EXAMPLES) | (needed - set(EXAMPLES))
                if not needed <= known:
                    missing.append(
                        f"{where}: step {key} has {sorted(needed)}, "
                        f"the code fills in {sorted(known)}"
                    )
    assert not missing, "\n".join(missing)


def test_services_and_their_selectors_are_translated() -> None:
    services = yaml.safe_load((COMPONENT / "services.yaml").read_text("utf-8"))
    texts = strings()["services"]
    assert set(texts) == set(services)
    for name, service in services.items():
        assert texts[name]["name"], name
        assert texts[name]["description"], name
        assert set(texts[name].get("fields", {})) == set(service["fields"]), name
        for field in service["fields"].values():
            select = (field.get("selector") or {}).get("select") or {}
            if key := select.get("translation_key"):
                options = set(strings()["selector"][key]["options"])
                assert set(select["options"]) <= options, (name, key)


@pytest.mark.parametrize("kind", list(SystemKind))
def test_select_options_of_the_system_forms_are_translated(kind: SystemKind) -> None:
    def selectors(schema: Any) -> Iterator[SelectSelector]:
        for value in schema.schema.values():
            if isinstance(value, section):
                yield from selectors(value.schema)
            elif isinstance(value, SelectSelector):
                yield value

    for selector in selectors(system_schema(kind)):
        key = selector.config.get("translation_key")
        if key is None:
            continue
        options = {
            o if isinstance(o, str) else o["value"] for o in selector.config["options"]
        }
        assert options <= set(strings()["selector"][key]["options"]), key


def test_entity_descriptions_are_translated() -> None:
    platforms = (binary_sensor, button, event, sensor, switch)
    missing = []
    for module in platforms:
        platform = module.__name__.rsplit(".", 1)[1]
        table = strings()["entity"][platform]
        found: list[Any] = []  # HA's EntityDescription defeats isinstance()
        for value in vars(module).values():
            items = value if isinstance(value, tuple | list) else (value,)
            found += [
                i
                for i in items
                if is_dataclass(i)
                and not isinstance(i, type)
                and hasattr(i, "translation_key")
            ]
        assert found, platform
        for description in found:
            key = description.translation_key
            if key is None or key not in table:
                missing.append(f"entity.{platform}.{key} ({description.key})")
                continue
            states = set(table[key].get("state", {}))
            options = getattr(description, "options", None) or []
            if not set(options) <= states:
                missing.append(f"entity.{platform}.{key}.state: {options}")
            event_types = getattr(description, "event_types", None) or []
            named = table[key].get("state_attributes", {}).get("event_type", {})
            if not set(event_types) <= set(named.get("state", {})):
                missing.append(f"entity.{platform}.{key}: event types {event_types}")
    assert not missing, "\n".join(missing)


# --- the `exceptions` table: real exceptions first, then the message templates ------


def test_every_exceptions_entry_is_used(code: Reader) -> None:
    used = {use.key for use in code.uses if not use.prefix}
    used |= {
        f"{prefix}{value}"
        for prefix, values in DYNAMIC_FAMILIES.items()
        for value in values
    }
    unused = [
        key
        for key in strings()["exceptions"]
        if key not in used and key not in code.literals
    ]
    assert not unused, f"not used by the code: {unused}"


def test_real_exceptions_come_first_then_templates_by_prefix(code: Reader) -> None:
    raised = {
        use.key for use in code.uses if use.table == "exceptions" and not use.prefix
    }
    keys = list(strings()["exceptions"])
    assert set(keys[: len(raised)]) == raised, (
        "en.json lists the exceptions the code raises first, then the message "
        "templates (docs/translations.md)"
    )
    for key in keys[len(raised) :]:
        assert key.startswith(TEMPLATE_PREFIXES), (
            f"{key}: a message template's key starts with one of {TEMPLATE_PREFIXES}"
        )


# --- words shared by several forms --------------------------------------------------


def _blocks(step: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield step
    yield from step.get("sections", {}).values()


def test_shared_fields_and_sections_read_the_same_everywhere() -> None:
    data = strings()
    flows = {
        "config + options": [
            *data["config"]["step"].values(),
            *data["options"]["step"].values(),
        ],
        **{
            f"config_subentries.{name}": [*flow["step"].values()]
            for name, flow in data["config_subentries"].items()
        },
    }
    differ = []
    for flow, steps in flows.items():
        fields: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
        sections: dict[str, set[str]] = defaultdict(set)
        for step in steps:
            for name, part in step.get("sections", {}).items():
                sections[name].add(json.dumps(part, sort_keys=True))
            for block in _blocks(step):
                for key, label in block.get("data", {}).items():
                    words = block.get("data_description", {}).get(key)
                    fields[key].add((label, words))
        differ += [f"{flow}: field {k}: {v}" for k, v in fields.items() if len(v) > 1]
        differ += [f"{flow}: section {k}" for k, v in sections.items() if len(v) > 1]
    assert not differ, "\n".join(differ)


def test_an_error_shown_by_several_flows_reads_the_same() -> None:
    data = strings()
    tables = [data["config"]["error"], data["options"]["error"]]
    tables += [flow["error"] for flow in data["config_subentries"].values()]
    words: dict[str, set[str]] = defaultdict(set)
    for table in tables:
        for key, text in table.items():
            words[key].add(text)
    differ = {
        key: sorted(texts)
        for key, texts in words.items()
        if len(texts) > 1 and key not in ERRORS_WORDED_PER_FLOW
    }
    assert not differ, differ


# --- every field of every form has a label ------------------------------------------


def _unlabelled(schema: Any, step: dict[str, Any], where: str) -> Iterator[str]:
    """Fields (and sections, and their fields) of a form without a label."""
    for marker, value in schema.schema.items():
        key = str(marker)
        if isinstance(value, section):
            part = step.get("sections", {}).get(key)
            if part is None or "name" not in part:
                yield f"{where}: section {key}"
                continue
            yield from _unlabelled(value.schema, part, f"{where}.{key}")
        elif key not in step.get("data", {}):
            yield f"{where}: field {key}"


def test_every_field_of_every_form_has_a_label() -> None:
    data = strings()
    config, options = data["config"]["step"], data["options"]["step"]
    system = data["config_subentries"][SUBENTRY_SYSTEM]["step"]
    forms: list[tuple[Any, dict[str, Any], str]] = [
        (PROVIDER_SCHEMA, config["user"], "config.user"),
        (PROVIDER_SCHEMA, config["reconfigure"], "config.reconfigure"),
        (targets_schema(), config["internet"], "config.internet"),
        (provider_options_schema(), options["init"], "options.init (provider)"),
        (InternetOptionsFlow._schema(), options["init"], "options.init (internet)"),
    ]
    for kind in SystemKind:
        forms.append((system_schema(kind), system[kind.value], f"system.{kind}"))
        forms.append((system_schema(kind), system["reconfigure"], f"re {kind}"))
    missing = [m for form in forms for m in _unlabelled(*form)]
    # the re-authentication form is built per entry: its possible fields
    reauth = {CONF_SYSTEM, *SECRET_FIELDS.values()} - set(
        config["reauth_confirm"]["data"]
    )
    missing += [f"reauth_confirm: {field}" for field in reauth]
    assert not missing, "\n".join(missing)
    # the components step's one field, and the menus' options
    assert "status_components" in options["components"]["data"]
    assert set(system["user"]["menu_options"]) == {kind.value for kind in SystemKind}
    assert set(system["cloud_test"]["menu_options"]) == {"cloud_save", "cloud_edit"}
