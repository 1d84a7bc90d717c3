"""quality_scale.yaml is true: every rule listed, every `done` proven by a named test.

The rules are those of core's script/hassfest/quality_scale.py. For the rules core's
hassfest checks by reading the code (runtime-data, parallel-updates, …) the same is
checked here, in our own words; for the documentation rules, that the pages and
sections the claims name exist and cover what they must.
"""

import ast
from pathlib import Path
import re
import struct
from typing import Any

import pytest
import yaml

from custom_components.provider_watch import const
from custom_components.provider_watch.const import DOMAIN
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from testkit.simulated import SimulatedDevice

from .helpers import setup_http_provider

COMPONENT = Path(const.__file__).parent
REPO = COMPONENT.parent.parent
TESTS = REPO / "tests"
DOCS = REPO / "docs"
README = (REPO / "README.md").read_text(encoding="utf-8")

RULES = {
    "bronze": [
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}
NAMED_TEST = re.compile(r"(tests/[\w/]+\.py)::(test_\w+)")
PLATFORM_MODULES = sorted(
    p.stem for p in COMPONENT.glob("*.py") if p.stem in {str(x) for x in Platform}
)


def scale() -> dict[str, Any]:
    return dict(yaml.safe_load((COMPONENT / "quality_scale.yaml").read_text())["rules"])


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def manifest() -> dict[str, Any]:
    return dict(yaml.safe_load((COMPONENT / "manifest.json").read_text()))


def strings() -> dict[str, Any]:
    return dict(yaml.safe_load((COMPONENT / "translations" / "en.json").read_text()))


# --- the file ---------------------------------------------------------------------


def test_every_rule_is_listed_once_with_a_valid_status() -> None:
    rules = scale()
    every = [rule for tier in RULES.values() for rule in tier]
    assert sorted(rules) == sorted(every)
    for name, rule in rules.items():
        status = rule["status"] if isinstance(rule, dict) else rule
        assert status in {"done", "todo", "exempt"}, name
        if status == "exempt":
            assert rule.get("comment"), f"{name}: an exemption says why"


def test_every_done_rule_names_tests_that_exist() -> None:
    defined: dict[str, set[str]] = {}
    missing = []
    for name, rule in scale().items():
        if not isinstance(rule, dict) or rule["status"] != "done":
            if rule == "done":
                missing.append(f"{name}: done without the test that proves it")
            continue
        named = NAMED_TEST.findall(rule.get("comment", ""))
        if not named:
            missing.append(f"{name}: done without the test that proves it")
        for file, test in named:
            if file not in defined:
                path = REPO / file
                defined[file] = (
                    {
                        node.name
                        for node in ast.walk(parse(path))
                        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                    }
                    if path.is_file()
                    else set()
                )
            if test not in defined[file]:
                missing.append(f"{name}: {file}::{test} does not exist")
    assert not missing, "\n".join(missing)


# --- rules core's hassfest checks in the code ---------------------------------------

TYPED_ENTRY = re.compile(r"^[A-Za-z]+ConfigEntry$")
ENTRY_FUNCTIONS = {
    "__init__": {
        "async_setup_entry",
        "async_unload_entry",
        "async_remove_entry",
        "async_migrate_entry",
        "async_remove_config_entry_device",
    },
    "diagnostics": {
        "async_get_config_entry_diagnostics",
        "async_get_device_diagnostics",
    },
    **{module: {"async_setup_entry"} for module in PLATFORM_MODULES},
}


def _functions(module: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        node.name: node
        for node in module.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _annotation(function: ast.FunctionDef | ast.AsyncFunctionDef, index: int) -> str:
    annotation = function.args.args[index].annotation
    return annotation.id if isinstance(annotation, ast.Name) else ast.dump(annotation)


def test_runtime_data() -> None:
    """runtime_data is set in async_setup_entry itself; the entry is typed."""
    setup = _functions(parse(COMPONENT / "__init__.py"))["async_setup_entry"]
    entry = setup.args.args[1].arg
    assert any(
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == entry
        and node.attr == "runtime_data"
        and isinstance(node.ctx, ast.Store)
        for node in ast.walk(setup)
    ), "async_setup_entry sets entry.runtime_data"
    wrong = []
    for module, names in ENTRY_FUNCTIONS.items():
        functions = _functions(parse(COMPONENT / f"{module}.py"))
        wrong += [
            f"{module}.{name}"
            for name in names & set(functions)
            if not TYPED_ENTRY.match(_annotation(functions[name], 1))
        ]
    wrong += [
        "config_flow.async_get_options_flow"
        for node in ast.walk(parse(COMPONENT / "config_flow.py"))
        if isinstance(node, ast.FunctionDef)
        and node.name == "async_get_options_flow"
        and not TYPED_ENTRY.match(_annotation(node, 0))
    ]
    assert not wrong, f"not a typed config entry: {wrong}"
    assert {"sensor", "binary_sensor"} <= set(PLATFORM_MODULES)


def test_parallel_updates() -> None:
    for module in PLATFORM_MODULES:
        tree = parse(COMPONENT / f"{module}.py")
        names = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        assert "PARALLEL_UPDATES" in names, module


def test_no_blocking_network_libraries() -> None:
    """HA's shared aiohttp session only; no requests, urllib or session of our own."""
    found = []
    for path in sorted(COMPONENT.rglob("*.py")):
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = getattr(node, "module", None) or ""
                names = [alias.name for alias in node.names]
                for name in [module, *names]:
                    # (zeroconf: HA's shared instance only; one of our own would be
                    # "another Zeroconf instance")
                    blocked = {"requests", "urllib3", "httpx", "socket", "zeroconf"}
                    if name.split(".")[0] in blocked and (name, path.name) != (
                        # non-blocking sockets for the loop's sock_connect only
                        "socket",
                        "tcp.py",
                    ):
                        found.append(f"{path.name}: imports {name}")
                    if name.startswith("urllib.request"):
                        found.append(f"{path.name}: imports {name}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute | ast.Name)
                and (name := getattr(node.func, "attr", getattr(node.func, "id", "")))
                in {"ClientSession", "async_create_clientsession"}
                # HA's helper "for cookies": a login's session cookie kept out of
                # the shared session's jar, which every integration sends from
                and (name, path.name)
                != ("async_create_clientsession", "cloud_probe.py")
            ):
                found.append(f"{path.name}:{node.lineno}: a session of its own")
    assert not found, found


def test_common_modules() -> None:
    assert (COMPONENT / "monitoring" / "coordinator.py").is_file()
    entity = parse(COMPONENT / "entity.py")
    classes = {node.name for node in entity.body if isinstance(node, ast.ClassDef)}
    assert {"SystemEntity", "EntryEntity"} <= classes


async def test_every_entity_has_entity_name(
    hass: HomeAssistant, device: SimulatedDevice, entity_registry: er.EntityRegistry
) -> None:
    entry = await setup_http_provider(hass, device.url)
    entries = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert len(entries) > 10
    for entity in entries:
        assert entity.has_entity_name, entity.entity_id
        assert entity.translation_key, entity.entity_id


async def test_device_classes(
    hass: HomeAssistant, device: SimulatedDevice, entity_registry: er.EntityRegistry
) -> None:
    await setup_http_provider(hass, device.url)
    expected = {
        "binary_sensor.alarm_panel_connectivity": "connectivity",
        "sensor.alarm_panel_status": "enum",
        "sensor.alarm_panel_outage_cause": "enum",
        "sensor.alarm_panel_last_seen_online": "timestamp",
        "sensor.alarm_panel_response_time": "duration",
    }
    for entity_id, device_class in expected.items():
        entity = entity_registry.async_get(entity_id)
        assert entity is not None, entity_id
        assert entity.original_device_class == device_class, entity_id


def test_icon_translations() -> None:
    icons = yaml.safe_load((COMPONENT / "icons.json").read_text())
    for platform, keys in strings()["entity"].items():
        assert set(keys) <= set(icons["entity"].get(platform, {})), platform
    services = yaml.safe_load((COMPONENT / "services.yaml").read_text())
    assert set(services) == set(icons["services"])


# --- the repository -----------------------------------------------------------------


def test_brand_images() -> None:
    for name, size in (("icon.png", 256), ("icon@2x.png", 512)):
        data = (COMPONENT / "brand" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
        assert struct.unpack(">II", data[16:24]) == (size, size), name


def test_requirements_are_pinned() -> None:
    requirements = manifest()["requirements"]
    assert requirements
    for requirement in requirements:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][\w.]*", requirement), requirement


def test_manifest_names_an_owner() -> None:
    assert manifest()["domain"] == DOMAIN
    assert all(owner.startswith("@") for owner in manifest()["codeowners"])
    assert manifest()["codeowners"]


def test_coverage_is_enforced() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    match = re.search(r"^fail_under = (\d+)", pyproject, re.MULTILINE)
    assert match is not None
    assert int(match.group(1)) >= 95
    script = (REPO / "scripts" / "test").read_text()
    assert "mypy --strict custom_components/provider_watch" in script


# --- the documentation --------------------------------------------------------------


def docs_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))


def test_readme_sections() -> None:
    for heading in ("## Install", "## Quick start", "## Documentation"):
        assert heading in README, heading
    assert "To remove it" in README
    assert "Add a provider" in README
    assert "Add a monitored system" in README


def test_every_service_is_documented() -> None:
    services = yaml.safe_load((COMPONENT / "services.yaml").read_text())
    text = docs_text() + README
    missing = [name for name in services if f"{DOMAIN}.{name}" not in text]
    assert not missing, f"services not in the docs: {missing}"


def test_triggers_are_documented() -> None:
    kinds = (DOCS / "kinds.md").read_text(encoding="utf-8")
    triggers = strings()["device_automation"]["trigger_type"]
    for words in triggers.values():  # "{entity_name} went offline"
        assert words.removeprefix("{entity_name} ") in kinds, words
    assert "provider_watch_system_offline" in kinds
    assert "blueprints/automation/provider_watch/" in kinds


def test_options_are_documented() -> None:
    text = " ".join((docs_text() + README).lower().split())
    options = strings()["options"]["step"]["init"]
    labels = [*options["data"].values()]
    for part in options.get("sections", {}).values():
        labels += part["data"].values()
    missing = [
        label
        for label in labels
        if re.sub(r"\s*\(.*\)$", "", label).lower() not in text
    ]
    assert not missing, f"options not in the docs: {missing}"


@pytest.mark.parametrize(
    ("page", "heading"),
    [
        ("timing.md", "## Defaults"),
        ("kinds.md", "## Kinds of system"),
        ("kinds.md", "## What you get per system"),
        ("troubleshooting.md", "## Known limitations"),
        ("troubleshooting.md", "## Troubleshooting"),
    ],
)
def test_docs_pages_exist(page: str, heading: str) -> None:
    assert heading in (DOCS / page).read_text(encoding="utf-8")
    assert f"docs/{page}" in README
