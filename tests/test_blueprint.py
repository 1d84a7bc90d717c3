"""The blueprint loads as Home Assistant's blueprint model and runs its actions.

It reacts to the bus events (why not the device triggers: its own comment), declares
the Home Assistant version it needs, and its device input offers only monitored
systems (their devices have the status-change event entity).
"""

from pathlib import Path
import shutil

from freezegun.api import FrozenDateTimeFactory

from custom_components.provider_watch import const
from homeassistant.components import automation
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import models
from homeassistant.const import __version__
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
from testkit.simulated import SimulatedDevice

from .helpers import SYSTEM_ID, advance, setup_http_provider

REPO = Path(const.__file__).parent.parent.parent
RELATIVE = Path("automation") / "provider_watch" / "system_offline.yaml"
BLUEPRINT = REPO / "blueprints" / RELATIVE


def load() -> models.Blueprint:
    return models.Blueprint(
        load_yaml_dict(BLUEPRINT),
        expected_domain=automation.DOMAIN,
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


def test_blueprint_is_valid_for_this_home_assistant() -> None:
    blueprint = load()
    assert blueprint.domain == automation.DOMAIN
    assert blueprint.validate() is None  # (min_version <= this Home Assistant)
    assert blueprint.metadata["homeassistant"]["min_version"] == "2026.10.0"
    assert __version__ >= "2026.10"
    selector = blueprint.inputs["system"]["selector"]["device"]
    assert selector["filter"] == [{"integration": const.DOMAIN}]
    assert selector["entity"] == [{"integration": const.DOMAIN, "domain": ["event"]}]
    assert "device triggers" in BLUEPRINT.read_text(encoding="utf-8")


async def test_blueprint_automation_runs_for_a_picked_system(
    hass: HomeAssistant,
    device: SimulatedDevice,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
    service_calls: list[ServiceCall],
    tmp_path: Path,
) -> None:
    hass.config.config_dir = str(tmp_path)  # the blueprint is copied there
    entry = await setup_http_provider(hass, device.url)
    system = device_registry.async_get_device_by_identifier(
        (const.DOMAIN, SYSTEM_ID), entry.entry_id
    )
    assert system is not None
    target = Path(hass.config.path("blueprints")) / RELATIVE
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(BLUEPRINT, target)

    def react(what: str) -> list[dict[str, object]]:
        return [
            {
                "action": "test.automation",
                "data": {"what": what, "system": "{{ trigger.event.data.system }}"},
            }
        ]

    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "use_blueprint": {
                    "path": str(RELATIVE.relative_to("automation")),
                    "input": {
                        "system": [system.id],
                        "offline_actions": react("offline"),
                        "online_actions": react("online"),
                    },
                }
            }
        },
    )
    await device.stop()
    await advance(hass, freezer, 30, 5, 5)
    await device.start()
    await advance(hass, freezer, 30, 5)
    assert [(c.data["what"], c.data["system"]) for c in service_calls] == [
        ("offline", "Alarm panel"),
        ("online", "Alarm panel"),
    ]
