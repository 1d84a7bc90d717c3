"""Write custom_components/provider_watch/translations/en.json.

The texts live here as Python so that shared pieces (field labels used by several
steps) are written once; the JSON is the file Home Assistant reads.
    python -m scripts.devtools.make_translations
"""

import json
from pathlib import Path
from typing import Any

OUT = (
    Path(__file__).resolve().parents[2]
    / "custom_components/provider_watch/translations/en.json"
)

PROVIDER_FIELDS = {
    "name": (
        "Provider name",
        'The company you pay to monitor your system, e.g. "Acme Alarm Monitoring".',
    ),
    "support_phone": (
        "Support phone",
        "The number to call when a system is down, e.g. +1 555 0100.",
    ),
    "support_url": (
        "Support or account web page",
        "A web page for support tickets or your account (https://…).",
    ),
    "account_contact": (
        "Account or sales contact",
        "Who handles your contract: a name, e-mail or phone.",
    ),
    "feedback_contact": (
        "Product feedback contact",
        "Where product feedback goes: a name, e-mail or phone.",
    ),
    "notes": (
        "Notes",
        "Anything useful when you talk to the provider: contract or customer "
        "number, promises made.",
    ),
}
TARGETS = (
    "Targets",
    "Each target is host:port (checked by opening a TCP connection, e.g. a DNS "
    "resolver on port 53) or an http(s) URL (any answer counts). The internet is "
    "down only when every target fails.",
)
OUTBOUND_FIELDS = {
    "outbound_url": (
        "Outbound heartbeat URL",
        "Optional: the ping URL of a dead-man service you already use (Healthchecks "
        "https://hc-ping.com/…, an Uptime Kuma push URL, any URL). Called every "
        "few minutes while Home Assistant runs and the internet is up; when the calls "
        "stop, that service alerts you. Kept secret: never logged. Blank: none.",
    ),
    "outbound_interval": (
        "Heartbeat every",
        "Minutes between calls. Give the service this period plus some grace.",
    ),
    "outbound_method": ("Heartbeat method", "GET, or POST with a short text body."),
    "outbound_fail_url": (
        "Outbound fail URL",
        "Optional: called once when the internet is back after the internet check "
        "saw it down, so the service's log shows the outage (Healthchecks: the ping "
        "URL followed by /fail). With POST the body names the outage's start and end.",
    ),
}
TIMING = {
    "poll_interval": (
        "Check every",
        "How often the system is checked while it is online (10 s or more).",
    ),
    "timeout": (
        "Timeout",
        "How long one check may take before it counts as failed. Must be shorter "
        "than the check interval.",
    ),
    "retry_interval": (
        "Re-check after a failure every",
        "How soon to check again after a failed check, to confirm or dismiss the "
        "failure quickly.",
    ),
    "failures_before_offline": (
        "Failures before offline",
        "Consecutive failed checks before the system is declared offline. The "
        "default (4) keeps false alarms below one a month at 5 % random check loss.",
    ),
    "successes_before_online": (
        "Successes before online",
        "Consecutive good checks before an offline system counts as back online.",
    ),
}
SYSTEM_FIELDS = {
    "name": ("Name", 'What you call this system, e.g. "Alarm panel".'),
    "host": ("Host", "The device's host name or IP address."),
    "port": ("Port", "The TCP port the device listens on."),
    "url": ("URL", "The address to fetch, e.g. http://192.0.2.10/status."),
    "expected_status": (
        "Expected status codes",
        "Answers that count as online: single codes and ranges, e.g. 200-299, 301.",
    ),
    "keyword": (
        "Keyword",
        "Optional: the answer must contain this text to count as online.",
    ),
    "verify_tls": (
        "Verify TLS certificate",
        "Turn off only for a device with a self-signed certificate: the connection "
        "is then not checked for impostors.",
    ),
    "entities": (
        "Entities",
        "Entities that show whether the system is alive, typically those of the "
        "provider's own integration.",
    ),
    "require_all": (
        "Offline only when all of them fail",
        "Off: one failing entity is enough. On: every entity must fail.",
    ),
    "grace": (
        "Grace time",
        "How long an entity may be unavailable (or a connectivity sensor off), or "
        "a heartbeat may be late, before the system counts as offline.",
    ),
    "max_silence": (
        "Maximum silence",
        "Offline when an entity has not reported anything for this long (0: off). "
        "Use it for entities that report regularly, e.g. every minute.",
    ),
    "period": ("Expected every", "How often the device calls the heartbeat URL."),
    "local_only": (
        "Only from my home network",
        "Off allows the provider's cloud to call the heartbeat URL from the internet.",
    ),
    "fail_keyword": (
        "Failure keyword",
        "Optional: a heartbeat whose body or query contains this text reports a "
        "failure, e.g. fail.",
    ),
}
CLOUD_FIELDS = {
    "method": ("Method", "GET, or POST with the body below."),
    "body": ("Body", "Optional request body; sent as JSON when it is valid JSON."),
}
CLOUD_SECTIONS = {
    "auth": (
        "Authentication",
        "How the provider's API knows it is you. Stored in Home Assistant, never logged.",
        {
            "auth_type": (
                "Authentication",
                "None, a bearer token, an API-key header, or a user name and password.",
            ),
            "token": ("Token", "For bearer tokens: sent as Authorization: Bearer …"),
            "header_name": (
                "API key header",
                "For API keys: the header name, e.g. X-API-Key.",
            ),
            "header_value": ("API key", "For API keys: the key itself."),
            "username": ("User name", "For basic authentication."),
            "password": ("Password", "For basic authentication."),
        },
    ),
    "rule": (
        "Online rule",
        "Either a JSON path and a comparison, or a template over value_json that is true while the system is online.",
        {
            "path": (
                "JSON path",
                "Where the value is, e.g. $.devices[0].online or $['device.status']['is-online']. With a device filter, relative to your device, e.g. $.online.",
            ),
            "comparison": ("Comparison", "How the value is judged."),
            "expected": (
                "Expected value",
                "For equals / not equals: the value; for in list: values separated by commas, e.g. online, armed.",
            ),
            "filter_path": (
                "Device list",
                "Optional: where the list of devices is, e.g. $.devices.",
            ),
            "id_key": (
                "Device id key",
                "The key that holds each device's id, e.g. id or serial.",
            ),
            "id_value": ("Your device's id", "Matches ids sent as text or as numbers."),
            "value_template": (
                "Template",
                "Instead of a path: e.g. {{ value_json.status == 'ok' and value_json.battery > 10 }}.",
            ),
        },
    ),
    "checkin": (
        "Last check-in",
        'Optional: a device whose cloud still answers but whose last check-in is too old is offline ("frozen but answering").',
        {
            "checkin_path": (
                "Check-in time path",
                "Where the last check-in time is (ISO 8601 or epoch seconds/milliseconds), e.g. $.last_seen.",
            ),
            "max_age": ("Maximum age", "A check-in older than this means offline."),
            "timezone": (
                "Time zone of naive times",
                "For times sent without a zone, e.g. Europe/Berlin. Blank: Home Assistant's time zone.",
            ),
            "quiet_at_night": (
                "Silent at night",
                "For solar gateways that stop reporting at night: an old check-in between sunset and sunrise is not an outage.",
            ),
        },
    ),
    "second_endpoint": (
        "Second endpoint",
        "Optional: another endpoint of the same provider (e.g. a health endpoint), with the same authentication. Both must say online.",
        {
            "second_url": ("URL", "The second endpoint's address."),
            "second_path": ("JSON path", "Where its value is."),
            "second_comparison": ("Comparison", "How the value is judged."),
            "second_expected": ("Expected value", "For equals / not equals / in list."),
        },
    ),
}
KIND_FIELDS = {
    "icmp": ["name", "host"],
    "tcp": ["name", "host", "port"],
    "http": ["name", "url", "expected_status", "keyword", "verify_tls"],
    "entities": ["name", "entities", "require_all", "grace", "max_silence"],
    "heartbeat": ["name", "period", "grace", "local_only", "fail_keyword"],
    "cloud": ["name", "url", "method", "body", "verify_tls"],
}
KIND_TITLES = {
    "icmp": ("Ping (ICMP)", "The system is online while it answers ping."),
    "tcp": (
        "TCP port",
        "The system is online while it accepts connections on a TCP port.",
    ),
    "http": (
        "Web page or HTTP endpoint",
        "The system is online while its page answers with an expected status (and "
        "contains the keyword, if you give one).",
    ),
    "entities": (
        "Entities of the provider's integration",
        "The system is offline when its entities go unavailable, stop reporting, or "
        "a connectivity sensor turns off for longer than the grace time.",
    ),
    "heartbeat": (
        "Heartbeat (the device calls Home Assistant)",
        "The device or the provider's cloud calls a secret URL regularly; a missed "
        "heartbeat means offline.",
    ),
    "cloud": (
        "Provider's cloud API",
        "The provider's API says whether the device is online.",
    ),
}
POLLED = ("icmp", "tcp", "http")


def fields(keys: list[str], table: dict[str, tuple[str, str]]) -> dict[str, object]:
    return {
        "data": {key: table[key][0] for key in keys},
        "data_description": {key: table[key][1] for key in keys},
    }


def system_step(
    title: str, description: str, keys: list[str], timing: bool, cloud: bool = False
) -> dict[str, object]:
    step: dict[str, object] = {"title": title, "description": description}
    step |= fields(keys, SYSTEM_FIELDS | CLOUD_FIELDS)
    sections: dict[str, object] = {}
    if cloud:
        for name, (label, text, table) in CLOUD_SECTIONS.items():
            sections[name] = {"name": label, "description": text} | fields(
                list(table), table
            )
    step["sections"] = sections
    if timing:
        sections |= {
            "timing": {
                "name": "Timing",
                "description": "When a check runs and how much evidence changes the state.",
            }
            | fields(list(TIMING), TIMING)
        }
    return step


COMMON_ERRORS = {
    "invalid_name": "Enter a name of 1 to 100 characters.",
    "name_exists": "Another one already has this name.",
    "invalid_url": "Enter a full http:// or https:// address with a valid host.",
}


def add_exceptions(strings: dict[str, Any], texts: dict[str, str]) -> None:
    """Message templates go into "exceptions" (the only free-text table)."""
    for key, text in texts.items():
        strings["exceptions"][key] = {"message": text}


# Message templates (alert words, service errors): key -> text
EXCEPTIONS = {
    "auth_failed": "The provider rejected the credentials of {system}.",
    "not_loaded": "Provider Watch has no provider set up.",
    "unknown_system": "Device {device_id} is not a monitored system.",
    "unknown_provider": "{entry_id} is not a loaded Provider Watch provider.",
    "snooze_too_long": "Snooze for at most 7 days.",
    "maintenance_needs_target": "Name the systems (devices) or providers to put in maintenance.",
    # The words of phone alerts (templates filled in by messages.py)
    "summary_title": "While your internet was down {start}\N{EN DASH}{end}",
    "summary_open": "{subject} went offline at {since} and is still offline",
    "summary_back": "{subject} went offline at {since} and recovered",
    "summary_none": "No monitored system went offline.",
    "push_failed_title": "{phone} did not get an alert",
    "push_failed_message": "{phone} did not get “{alert}” after {tries} tries: {error}",
    "alert_offline_title": "{subject} is offline",
    "alert_still_title": "{subject} is still offline",
    "alert_escalation_title": "{subject} is offline — nobody has acknowledged",
    "alert_offline_message": "Offline since {since} ({duration}). {cause}",
    "alert_back_title": "{subject} is back online",
    "alert_back_message": "{subject} is back online after {duration}.",
    "alert_flapping_title": "{system} keeps dropping offline",
    "alert_flapping_message": "{system} went offline {count} times in the last 2 h. Alerts for it are summarised until it settles.",
    "alert_subject_internet": "Your internet",
    "alert_subject_cloud": "{provider}'s cloud",
    "alert_cause_internet": "Your internet is down — {count} monitored systems unreachable: {systems}.",
    "alert_cause_cloud": "{provider}'s cloud is not answering — affected: {systems}.",
    "alert_cause_system": "Your internet is up — this looks like your system, not your connection.",
    "alert_cause_system_page": "Your internet is up and {provider}'s status page reports no incident — this looks like your system.",
    "alert_cause_unknown": "The cause is not clear yet.",
    "alert_no_provider_notice": "No alert from {provider} is recorded in Home Assistant.",
    "alert_test_title": "Provider Watch test alert",
    "alert_test_message": "This phone will be alerted when a system {provider} monitors goes offline.",
    "action_acknowledge": "Acknowledge",
    "action_snooze": "Snooze 1 h",
    "action_call": "Call {provider} support",
    "action_open_support": "Open {provider} support",
}


def build() -> dict[str, object]:
    steps: dict[str, object] = {
        kind: system_step(
            *KIND_TITLES[kind], keys, kind in (*POLLED, "cloud"), cloud=kind == "cloud"
        )
        for kind, keys in KIND_FIELDS.items()
    }
    steps["user"] = {
        "title": "Add monitored system",
        "description": "How should Provider Watch check this system?",
        "menu_options": {kind: KIND_TITLES[kind][0] for kind in KIND_TITLES},
    }
    steps["reconfigure"] = system_step(
        "Change monitored system",
        "Change how this system is checked.",
        [*SYSTEM_FIELDS, *CLOUD_FIELDS],
        timing=True,
        cloud=True,
    )
    steps["cloud_test"] = {
        "title": "What the rule sees",
        "description": "One request was sent now.\n\n- HTTP status: {status}\n- Value found: `{value}`\n- Verdict: **{verdict}**\n- Reason: {reason}",
        "menu_options": {
            "cloud_save": "Save this system",
            "cloud_edit": "Change the settings",
        },
    }
    steps["heartbeat_url"] = {
        "title": "Heartbeat URL",
        "description": "Have the device (or the provider's portal) call this URL "
        "every period, with GET or POST:\n\n`{url}`\n\nKeep it secret: anyone who "
        "has it can report heartbeats. Example: `curl -fsS -X POST {url}`",
    }
    provider_step = fields(list(PROVIDER_FIELDS), PROVIDER_FIELDS)
    return {
        "config": {
            "step": {
                "user": {
                    "title": "Add a provider",
                    "description": "A provider is a company you pay to monitor a "
                    "system in your home. You add the systems it monitors next.",
                }
                | provider_step,
                "internet": {
                    "title": "Internet check",
                    "description": "Provider Watch also checks your internet "
                    'connection, to tell "my internet is down" apart from "the '
                    'provider\'s cloud is down" and "my system is down". It is set '
                    "up once, for all providers; change it later in its options, "
                    "where you can also add an outbound heartbeat.",
                    "data": {"targets": TARGETS[0]},
                    "data_description": {"targets": TARGETS[1]},
                },
                "reauth_confirm": {
                    "title": "New credentials for {provider}",
                    "description": "The provider's API rejected the credentials of a cloud system. Enter the new token, API key or password (only the ones that changed).",
                    "data": {
                        "system": "System",
                        "token": "Token",
                        "header_value": "API key",
                        "password": "Password",
                    },
                    "data_description": {
                        "system": "The cloud system whose credentials changed.",
                        "token": "For bearer tokens.",
                        "header_value": "For API-key headers.",
                        "password": "For basic authentication.",
                    },
                },
                "reconfigure": {
                    "title": "Change provider",
                    "description": "Change the provider's name or contacts.",
                }
                | provider_step,
            },
            "error": COMMON_ERRORS
            | {
                "invalid_phone": "Enter a phone number: digits, spaces, + ( ) - . / "
                "only.",
                "invalid_target": "Enter at least one target; each must be "
                "host:port or an http(s) URL.",
                "missing_credentials": "Enter at least one new credential.",
                "unknown_system": "Pick one of the provider's cloud systems.",
            },
            "abort": {
                "reauth_successful": "The new credentials were saved; checking resumes.",
                "no_cloud_systems": "This provider has no cloud system that needs credentials.",
                "reconfigure_successful": "The provider was changed.",
                "already_configured": "The internet check is already set up.",
                "internet_use_options": "Change the internet check in its options.",
            },
        },
        "options": {
            "step": {
                "init": {
                    "title": "Provider Watch options",
                    "description": "For a provider: the phones to alert, how, and "
                    "its public status page (blank: none). For the internet check: "
                    "its targets and an optional outbound heartbeat (a dead-man "
                    "service that alerts you when the calls stop).{reason}",
                    "data": {
                        "status_page": "Status page",
                        "targets": TARGETS[0],
                        "phones": "Phones to alert",
                        "repeat": "Repeat while offline (minutes)",
                        "critical": "Critical alerts",
                        "escalation_phones": "Escalate to these phones",
                        "escalate_after": "Escalate after",
                        "quiet_start": "Quiet hours start",
                        "quiet_end": "Quiet hours end",
                        "critical_ignores_quiet": "Critical alerts ignore quiet hours",
                    }
                    | {key: text[0] for key, text in OUTBOUND_FIELDS.items()},
                    "data_description": {
                        "phones": "Phones with the Home Assistant Companion app. They get an alert within a minute of an outage, with Acknowledge, Snooze 1 h and Call support buttons.",
                        "repeat": "While an outage is not acknowledged, remind after these minutes, e.g. 30, 120 (the last value repeats). Blank: no reminders.",
                        "critical": "For alarm, leak and other life-safety systems: the alert rings even when the phone is muted or in Do Not Disturb.",
                        "escalation_phones": "A second tier, alerted when nobody acknowledges in time.",
                        "escalate_after": "Minutes without acknowledgement before the second tier is alerted (0: never).",
                        "quiet_start": "No new alerts or reminders between start and end; anything still offline is alerted when quiet hours end.",
                        "quiet_end": "End of quiet hours.",
                        "critical_ignores_quiet": "Critical alerts still ring during quiet hours.",
                        "status_page": "The provider's Statuspage address, e.g. "
                        "https://status.example.com. Checked every 5 minutes; a page "
                        "that cannot be read never counts as an outage.",
                        "targets": TARGETS[1],
                    }
                    | {key: text[1] for key, text in OUTBOUND_FIELDS.items()},
                },
                "components": {
                    "title": "Status page components",
                    "description": "Pick the components your systems depend on. "
                    "None picked: all of them.",
                    "data": {"status_components": "Components"},
                    "data_description": {
                        "status_components": "A major or partial outage of a "
                        "picked component counts as the provider's cloud being down."
                    },
                },
            },
            "error": {
                "invalid_url": COMMON_ERRORS["invalid_url"],
                "invalid_target": "Enter at least one target; each must be "
                "host:port or an http(s) URL.",
                "status_page_unreadable": "The status page could not be read.",
                "invalid_repeat": "Enter minutes from 1 to 10080 separated by commas, e.g. 30, 120.",
                "quiet_hours_incomplete": "Give both the start and the end of quiet hours.",
                "invalid_duration": "Enter a whole number of minutes.",
                "escalation_needs_phones": "Pick the phones to escalate to.",
            },
        },
        "config_subentries": {
            "system": {
                "entry_type": "Monitored system",
                "initiate_flow": {
                    "user": "Add monitored system",
                    "reconfigure": "Change monitored system",
                },
                "step": steps,
                "error": COMMON_ERRORS
                | {
                    "invalid_host": "Enter a host name or an IP address.",
                    "invalid_port": "Enter a port from 1 to 65535.",
                    "invalid_status_codes": "Enter status codes from 100 to 599, "
                    "separated by commas, e.g. 200-299, 301.",
                    "timeout_not_below_interval": "The timeout must be shorter than "
                    "the check interval.",
                    "invalid_threshold": "Failures before offline and successes "
                    "before online must be whole numbers from 1 to 20.",
                    "invalid_duration": "Enter a whole number of seconds.",
                    "no_entities": "Pick at least one entity.",
                    "missing_credentials": "Fill in the credentials the chosen authentication needs.",
                    "invalid_path": "Enter a JSON path starting with $, e.g. $.devices[0].online.",
                    "no_rule": "Give a JSON path or a template that decides online.",
                    "expected_required": "This comparison needs an expected value.",
                    "incomplete_filter": "A device filter needs the device list, the id key and your device's id.",
                    "invalid_timezone": "Enter a time zone name such as Europe/Berlin.",
                    "invalid_template": "The template is not valid.",
                },
                "abort": {
                    "reconfigure_successful": "The monitored system was changed.",
                },
            }
        },
        "selector": {
            "auth_type": {
                "options": {
                    "none": "None",
                    "bearer": "Bearer token",
                    "api_key": "API-key header",
                    "basic": "User name and password",
                }
            },
            "comparison": {
                "options": {
                    "equals": "Equals",
                    "not_equals": "Does not equal",
                    "in_list": "Is one of",
                    "truthy": "Is true (true, 1, on, online …)",
                    "falsy": 'Is false (an "offline" flag)',
                }
            },
        },
        "device_automation": {
            "trigger_type": {
                "went_offline": "{entity_name} went offline",
                "came_online": "{entity_name} came back online",
            }
        },
        "entity": {
            "binary_sensor": {
                "connectivity": {"name": "Connectivity"},
                "provider_cloud": {
                    "name": "Provider cloud",
                    "state_attributes": {
                        "components_down": {"name": "Components down"},
                        "maintenance": {"name": "Maintenance"},
                    },
                },
                "internet": {"name": "Internet"},
                "outbound_heartbeat": {
                    "name": "Outbound heartbeat",
                    "state_attributes": {"reason": {"name": "Reason"}},
                },
            },
            "button": {
                "acknowledge": {"name": "Acknowledge alerts"},
                "send_test_alert": {"name": "Send test alert"},
            },
            "switch": {"maintenance": {"name": "Maintenance"}},
            "event": {
                "transitions": {
                    "name": "Status change",
                    "state_attributes": {
                        "event_type": {
                            "state": {
                                "offline": "Went offline",
                                "online": "Came back online",
                            }
                        }
                    },
                }
            },
            "sensor": {
                "status": {
                    "name": "Status",
                    "state_attributes": {
                        "since": {"name": "Offline since"},
                        "reason": {"name": "Reason"},
                    },
                    "state": {
                        "unknown": "Unknown",
                        "online": "Online",
                        "pending": "Suspect",
                        "offline": "Offline",
                        "recovering": "Recovering",
                    },
                },
                "cause": {
                    "name": "Outage cause",
                    "state": {
                        "none": "No outage",
                        "internet": "Your internet",
                        "provider_cloud": "Provider's cloud",
                        "system": "The system itself",
                        "auth": "Credentials rejected",
                        "unknown": "Unknown",
                    },
                },
                "last_seen": {"name": "Last seen online"},
                "response_time": {"name": "Response time"},
                "incident": {"name": "Current incident"},
                "last_outbound_heartbeat": {"name": "Last outbound heartbeat"},
            },
        },
        "exceptions": {key: {"message": text} for key, text in EXCEPTIONS.items()},
        "issues": {
            "phone_missing": {
                "title": "Phone {phone} cannot receive alerts",
                "description": "Provider Watch is set to alert {phone}, but it is no longer registered with the Companion app or has no push notifications. Re-open the app on the phone, or pick other phones in the provider's options.",
            }
        },
        "services": {
            "acknowledge": {
                "name": "Acknowledge",
                "description": "Stops reminders and escalation for open outage alerts (monitoring continues).",
                "fields": {
                    "device_id": {
                        "name": "Systems",
                        "description": "Monitored systems (devices). Blank: all.",
                    },
                    "config_entry_id": {
                        "name": "Provider",
                        "description": "All systems of this provider.",
                    },
                },
            },
            "snooze": {
                "name": "Snooze",
                "description": "Mutes open outage alerts for a while.",
                "fields": {
                    "duration": {
                        "name": "Duration",
                        "description": "How long (at most 7 days).",
                    },
                    "device_id": {
                        "name": "Systems",
                        "description": "Monitored systems (devices). Blank: all.",
                    },
                    "config_entry_id": {
                        "name": "Provider",
                        "description": "All systems of this provider.",
                    },
                },
            },
            "start_maintenance": {
                "name": "Start maintenance",
                "description": "Holds alerts for systems or a whole provider; monitoring continues.",
                "fields": {
                    "device_id": {
                        "name": "Systems",
                        "description": "Monitored systems (devices).",
                    },
                    "config_entry_id": {
                        "name": "Provider",
                        "description": "All systems of this provider.",
                    },
                },
            },
            "end_maintenance": {
                "name": "End maintenance",
                "description": "Ends maintenance; a system still offline is alerted now.",
                "fields": {
                    "device_id": {
                        "name": "Systems",
                        "description": "Monitored systems (devices).",
                    },
                    "config_entry_id": {
                        "name": "Provider",
                        "description": "All systems of this provider.",
                    },
                },
            },
            "send_test_alert": {
                "name": "Send test alert",
                "description": "Sends a test notification to every phone of the provider(s).",
                "fields": {
                    "config_entry_id": {
                        "name": "Provider",
                        "description": "Blank: every provider.",
                    },
                },
            },
        },
    }


# --- Evidence: outage history, uptime figures, the report (issue 5) ---------------

FIGURE_SENSORS = {
    "uptime_24h": "Uptime 24 hours",
    "uptime_7d": "Uptime 7 days",
    "uptime_30d": "Uptime 30 days",
    "outages_30d": "Outages 30 days",
    "downtime_30d": "Downtime 30 days",
    "longest_outage_30d": "Longest outage 30 days",
    "current_outage": "Current outage",
    "provider_uptime_30d": "Uptime 30 days (all systems)",
    "provider_outages_30d": "Outages 30 days (all systems)",
    "provider_downtime_30d": "Downtime 30 days (all systems)",
}
# The report's words ("exceptions" holds message templates, as for the alerts).
REPORT_TEXTS = {
    "report_title": "Outage report: {provider}",
    "report_period": "{start} to {end} ({timezone}), generated {generated}",
    "report_summary_heading": "Summary",
    "report_summary_lead": "Between {start} and {end}, {system}, which you monitor "
    "for me,",
    "report_summary_lead_next": "In the same period, {system}",
    "report_summary_since": "{system} (monitored since {since})",
    "report_summary_none": "{lead} was not offline at all.",
    "report_summary_once": "{lead} was offline once, for {downtime}.",
    "report_summary_many": "{lead} was offline {count} times, {downtime} in total; "
    "the longest outage lasted {longest}.",
    "report_summary_uptime": "That is an uptime of {uptime} %.",
    "report_summary_not_monitored": "{lead} was not monitored yet.",
    "report_summary_causes": "Causes: {causes}.",
    "report_summary_cause_provider_cloud": "your side (cloud or API)",
    "report_summary_cause_internet": "my home internet",
    "report_summary_cause_system": "the system itself",
    "report_summary_cause_auth": "rejected credentials",
    "report_summary_cause_unknown": "undetermined",
    "report_summary_noticed": "Each outage was noticed within {max} of its start "
    "({average} on average).",
    "report_systems_heading": "Uptime per system",
    "report_causes_heading": "Outages by cause",
    "report_outages_heading": "Outages",
    "report_contacts_heading": "Contacts at {provider}",
    "report_col_system": "System",
    "report_col_monitored_since": "Monitored since",
    "report_col_uptime": "Uptime (%)",
    "report_col_outages": "Outages",
    "report_col_downtime": "Downtime (min)",
    "report_col_longest": "Longest outage (min)",
    "report_col_start": "Start",
    "report_col_end": "End",
    "report_col_duration": "Duration",
    "report_col_minutes": "Minutes",
    "report_col_cause": "Cause",
    "report_col_noticed": "Noticed after",
    "report_col_detected": "Detected by",
    "report_col_alert": "Alert sent",
    "report_col_ack": "Acknowledged",
    "report_cause_provider_cloud": "The provider's side (cloud)",
    "report_cause_internet": "The home's internet",
    "report_cause_system": "The system itself",
    "report_cause_auth": "Credentials rejected",
    "report_cause_unknown": "Undetermined",
    "report_contact_support": "Support",
    "report_contact_account": "Account / sales",
    "report_contact_feedback": "Product feedback",
    "report_contact_none": "not given",
    "report_ongoing": "ongoing",
    "report_unknown": "unknown",
    "report_no_outages": "No outages in this period.",
    "report_ack_by": "{at} by {by}",
    "report_note": "Uptime and downtime count only the time inside the period "
    "after monitoring began; outages are listed with their full times. Times are "
    "{timezone}. Recorded by Provider Watch in Home Assistant.",
    "report_months": "January,February,March,April,May,June,July,August,"
    "September,October,November,December",
    "report_notification_title": "Outage report for {provider}",
    "report_notification_message": "{summary}\n\nSaved as `{markdown}` and "
    "`{csv}`. Open: [Markdown]({markdown_url}) · [CSV]({csv_url}) (the links work "
    "for 24 hours).",
    # service action errors
    "report_month_invalid": "{month} is not a month; use YYYY-MM, e.g. 2026-10.",
    "report_range_invalid": "A custom period needs a start and an end date, the "
    "end not before the start.",
}
REPORT_SERVICE = {
    "name": "Generate report",
    "description": "Writes the outage report of a provider (Markdown and CSV in "
    "<config>/provider_watch/reports/) and returns its figures.",
    "fields": {
        "config_entry_id": {"name": "Provider", "description": "The provider."},
        "period": {
            "name": "Period",
            "description": "The last 30 days, a calendar month, or your own dates.",
        },
        "month": {
            "name": "Month",
            "description": "For a calendar month: YYYY-MM, e.g. 2026-10. Blank: "
            "last month.",
        },
        "start": {"name": "Start", "description": "For your own dates: the first day."},
        "end": {"name": "End", "description": "For your own dates: the last day."},
    },
}
HISTORY_CORRUPT = {
    "title": "The outage history of {provider} could not be read",
    "description": "Provider Watch could not read the saved outage history of "
    "{provider} ({error}). Nothing was overwritten: the file was kept as `{path}` "
    "and a new history was started. Restore it from a backup if you need the old "
    "outages in reports.",
}


def add_evidence(strings: dict[str, Any]) -> dict[str, Any]:
    """The strings of the outage history, the figures and the report."""
    entity = strings["entity"]
    for key, name in FIGURE_SENSORS.items():
        entity["sensor"][key] = {"name": name}
    entity["button"]["generate_report"] = {"name": "Generate report"}
    add_exceptions(strings, REPORT_TEXTS)
    strings["issues"]["history_corrupt"] = HISTORY_CORRUPT
    strings["services"]["generate_report"] = REPORT_SERVICE
    strings["selector"]["report_period"] = {
        "options": {
            "last_30_days": "Last 30 days",
            "calendar_month": "Calendar month",
            "custom": "Your own dates",
        }
    }
    return add_accountability(strings)


# --- What it cost, and "did the provider tell you?" (issue 9) -----------------------

CONTRACT_FIELDS = {
    "monthly_fee": (
        "Monthly fee",
        "What you pay the provider a month, e.g. 39.90. Blank: the value of the "
        "downtime is not computed.",
    ),
    "currency": (
        "Currency",
        "The fee's currency, an ISO 4217 code such as EUR or USD. Blank: the "
        "currency set in Home Assistant.",
    ),
    "renewal_date": (
        "Contract renews on",
        "The date your contract renews (or can be cancelled): the report reminds "
        "you to raise the outages before it.",
    ),
}
CONTRACT_SECTION = {
    "name": "Contract",
    "description": "What you pay, to weigh the downtime against the fee. The "
    "billing month is the calendar month in Home Assistant's time zone.",
    "data": {key: text[0] for key, text in CONTRACT_FIELDS.items()},
    "data_description": {key: text[1] for key, text in CONTRACT_FIELDS.items()},
}
CONTRACT_ERRORS = {
    "invalid_fee": "Enter the monthly fee as a number, at most 1000000 (blank: none).",
    "negative_fee": "The monthly fee cannot be negative.",
    "invalid_currency": "Enter a currency code from ISO 4217, e.g. EUR, USD or GBP.",
    "invalid_date": "Enter a date as YYYY-MM-DD.",
}
BILLING_SENSORS = {
    "provider_downtime_month": "Downtime this month (all systems)",
    "provider_offline_share_month": "Offline share this month",
    "provider_downtime_value_month": "Value of downtime this month",
    "provider_outages_told_month": "Outages told by provider this month",
    "provider_outages_not_told_month": "Outages found only by Provider Watch this month",
    "provider_outages_unanswered_month": "Outages not answered this month",
}
NOTICE_TEXTS = {
    # the recovery notification's question and buttons
    "alert_back_ask": "Did {provider} tell you about it?",
    "report_self_healed": "{end} (self-healed)",
    "action_told": "Yes, they told me",
    "action_not_told": "No",
    # the service action's error
    "unknown_outage": "No outage with the id {outage_id} is in the history of a "
    "loaded provider. The report lists each outage with its id.",
    # the report
    "report_summary_notice": "Of the outages I checked, you told me about {told}; "
    "{not_told} I only found through my own monitoring.",
    "report_cost_heading": "What you paid for vs what you got",
    "report_cost_fee": "Monthly fee",
    "report_cost_no_fee": "not given (set it in the provider's options)",
    "report_cost_paid": "Paid for this period",
    "report_cost_downtime": "Downtime",
    "report_cost_downtime_value": "{duration} ({minutes} min, all systems added up)",
    "report_cost_share": "Offline share",
    "report_cost_share_value": "{share} % of the time the systems were monitored",
    "report_cost_value": "Value of the downtime",
    "report_cost_value_value": "{amount} (the part of what you paid that covered "
    "time the systems were offline)",
    "report_cost_notice": "Did {provider} tell you?",
    "report_cost_notice_value": "yes {told} · no {not_told} (found only by "
    "Provider Watch) · not answered {unanswered}",
    "report_cost_renewal": "Your contract renews on {date}: raise this before "
    "renewing.",
    "report_cost_explained": "The fee is pro-rated over the calendar months of the "
    "period; the value of the downtime is what was paid for the period times the "
    "offline share. Outages caused by the home's internet are not asked about.",
    "report_col_id": "ID",
    "report_col_told": "Provider told you?",
    "report_told_told": "yes",
    "report_told_not_told": "no",
    "report_told_unanswered": "not answered",
    "report_told_not_asked": "—",
    "report_told_note": "{answer}: {note}",
    "report_told_how": "To record whether {provider} told you about an outage, "
    "answer the question on the recovery notification, or call the action "
    "`provider_watch.record_provider_notice` with the outage's ID.",
}
NOTICE_SERVICE = {
    "name": "Record provider notice",
    "description": "Records whether the provider told you about an outage (the "
    "recovery notification asks the same). Shown in the report and counted by the "
    "provider's sensors.",
    "fields": {
        "outage_id": {
            "name": "Outage ID",
            "description": "The outage's ID, as the report lists it.",
        },
        "told": {
            "name": "The provider told me",
            "description": "On (yes): the provider told you. Off (no): only Provider "
            "Watch found it.",
        },
        "note": {
            "name": "Note",
            "description": "Optional: how and when they told you, or what they said.",
        },
    },
}


def add_accountability(strings: dict[str, Any]) -> dict[str, Any]:
    """The contract options, the billing sensors and the provider-notice strings."""
    options = strings["options"]
    options["step"]["init"].setdefault("sections", {})["contract"] = CONTRACT_SECTION
    options["error"] |= CONTRACT_ERRORS
    for key, name in BILLING_SENSORS.items():
        strings["entity"]["sensor"][key] = {"name": name}
    add_exceptions(strings, NOTICE_TEXTS)
    strings["services"]["record_provider_notice"] = NOTICE_SERVICE
    return strings


# --- Self-heal (issue 9, part 1) ---------------------------------------------------

SELF_HEAL_FIELDS = {
    "heal_entity": (
        "Fix it with",
        "Optional: what Provider Watch uses when the system goes offline. A switch "
        "is power-cycled (off, wait, on: the smart plug the hub or router hangs "
        "on), a button is pressed, a script is run. Blank: no self-heal.",
    ),
    "heal_delay": (
        "Wait before trying",
        "Seconds after the system is confirmed offline before the first try; it "
        "often comes back on its own.",
    ),
    "heal_attempts": (
        "Attempts per outage",
        "1 to 3. Each further attempt waits twice as long as the one before.",
    ),
    "heal_daily_max": (
        "Attempts per day at most",
        "For this system, per calendar day. When reached, you are alerted at once.",
    ),
    "heal_off_time": (
        "Power-cycle: off for",
        "Seconds a switch stays off before it is turned on again.",
    ),
    "heal_recheck": (
        "Time to come back",
        "Seconds the system is given to come back after an attempt (it is checked "
        "at the fast re-check interval meanwhile). A router may need several "
        "minutes to boot.",
    ),
    "heal_notify": (
        "When it worked",
        "A quiet push (no sound, no interruption) to the provider's phones, or "
        "nothing.",
    ),
}
SELF_HEAL_SECTION = {
    "name": "Self-heal",
    "description": "Optional: try to fix the system before you are alerted. Your "
    "offline alert is held while self-heal is trying, and goes out (saying what "
    "was tried) if the system stays offline. Never during maintenance, while the "
    "alert is snoozed, with the Self-heal switch off, or when the provider's cloud "
    "or the credentials are the cause. A switch that someone else turned off is "
    "never turned on.",
    "data": {key: text[0] for key, text in SELF_HEAL_FIELDS.items()},
    "data_description": {key: text[1] for key, text in SELF_HEAL_FIELDS.items()},
}
SELF_HEAL_ERRORS = {
    "invalid_heal_entity": "Pick a switch, a button or a script.",
    "invalid_heal_number": "Enter a whole number in the allowed range.",
    "invalid_heal_notify": "Pick a quiet push or nothing.",
}
SELF_HEAL_TEXTS = {
    # the offline alert's line about self-heal
    "self_heal_did_power_cycle": "Power-cycled {entity} at {times}",
    "self_heal_did_press": "Pressed {entity} at {times}",
    "self_heal_did_run": "Ran {entity} at {times}",
    "self_heal_still_offline": "{did}, still offline.",
    "self_heal_stopped": "Self-heal stopped: {reason}.",
    "self_heal_skipped": "Self-heal skipped: {reason}.",
    "self_heal_reason_missing": "{entity} does not exist",
    "self_heal_reason_unavailable": "{entity} is unavailable",
    "self_heal_reason_turned_off": "{entity} was turned off, not by Provider Watch",
    "self_heal_reason_turned_off_by_person": "{entity} was turned off by a person",
    "self_heal_reason_daily_cap": "the most attempts for a day were made already",
    "self_heal_reason_interrupted": "{entity} was switched by someone else during "
    "the power-cycle and was left as it was",
    "self_heal_reason_failed": "{entity} did not accept the command",
    # the quiet push when it worked
    "self_heal_healed_title": "{system} was fixed by self-heal",
    "self_heal_healed_message": "{system} went offline at {since}. {did}; it was "
    "back online after {duration}. Nothing to do.",
    "self_heal_channel": "Self-heal",
}
SELF_HEAL_ISSUE = {
    "title": "Self-heal for {system} cannot use {entity}",
    "description": "{system} went offline and Provider Watch was to fix it with "
    "`{entity}`, but that entity does not exist or is unavailable, so you were "
    "alerted instead. Bring the entity back, or pick another one in the system's "
    "*Self-heal* settings (*Reconfigure*). This issue goes away once `{entity}` "
    "is back.",
}


def add_self_heal(strings: dict[str, Any]) -> dict[str, Any]:
    """The self-heal section of every system form, its switch, alert texts, issue."""
    system = strings["config_subentries"]["system"]
    for step in system["step"].values():
        if "sections" in step:  # the forms of the kinds, and reconfigure
            step["sections"]["self_heal"] = SELF_HEAL_SECTION
    system["error"] |= SELF_HEAL_ERRORS
    strings["selector"]["heal_notify"] = {
        "options": {"quiet": "A quiet push", "none": "Nothing"}
    }
    strings["entity"]["switch"]["self_heal"] = {"name": "Self-heal"}
    add_exceptions(strings, SELF_HEAL_TEXTS)
    strings["issues"]["self_heal_target"] = SELF_HEAL_ISSUE
    return strings


def main() -> None:
    OUT.write_text(
        json.dumps(add_self_heal(add_evidence(build())), indent=2, ensure_ascii=False)
        + "\n"
    )


if __name__ == "__main__":
    main()
