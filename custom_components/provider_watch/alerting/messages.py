"""Alert wording and Companion-app payloads (per OS).

The words come from translations/en.json (the "exceptions" table holds the message
templates, so that they are translated like every other string).
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..logic.cause import Cause
from ..logic.integration import EntryTrouble
from ..logic.policy import AlertNotice, NoticeKind, Record
from ..logic.self_heal import TOLD_REASONS, HealSummary
from ..logic.summary import Summary
from ..logic.text import counted, format_duration
from .phones import Phone

type Texts = Callable[..., str]  # (key, **placeholders) -> words

ACTION_ACK = "PW_ACK_"
ACTION_SNOOZE = "PW_SNOOZE_"
ACTION_CALL = "PW_CALL_"
# the recovery's question "did the provider tell you?" (the alert id follows)
ACTION_TOLD = "PW_TOLD_"
ACTION_NOT_TOLD = "PW_NOTTOLD_"
SUMMARY_TAG = "provider-watch-summary"
SNOOZE_MINUTES = 60
# an alert about more systems names the first ones and counts the rest on the phone
# (its persistent notification names them all)
NAMED_ON_PHONE = 3


@dataclass(frozen=True, kw_only=True, slots=True)
class AlertContext:
    """What the words need to know about an alert."""

    systems: Sequence[str]  # names of the systems in the alert
    provider: str  # the provider's name ("" for an internet alert over providers)
    since_text: str  # local time the outage began
    duration: float  # seconds offline so far (or in total, on recovery)
    cause: Cause
    status_page: bool  # the provider has a status page (and it reports no incident)
    support_phone: str | None = None
    support_url: str | None = None
    device_path: str | None = None  # /config/devices/device/<id> of a single system
    flaps: int = 0
    since: datetime | None = None  # when the outage began
    # the recovery asks whether the provider told the owner about the outage
    ask_notice: bool = False
    # what self-heal tried (or why it did not), for the offline alert
    tried: str = ""
    # the provider's own integration is in trouble (and since when, local time)
    integration: EntryTrouble | None = None
    integration_since: str = ""


def title_and_message(
    notice: AlertNotice, ctx: AlertContext, texts: Texts, *, limit: int | None = None
) -> tuple[str, str]:
    """The words of a notice; limit: how many systems to name (None: all)."""
    names = system_names(ctx.systems, texts, limit)
    first = ctx.systems[0] if ctx.systems else ""
    duration = format_duration(ctx.duration)
    subject = _subject(notice.record, ctx, texts)
    if notice.kind is NoticeKind.RECOVERY:
        message = texts("alert_back_message", subject=subject, duration=duration)
        if ctx.ask_notice:
            message += " " + texts("alert_back_ask", provider=ctx.provider)
        return texts("alert_back_title", subject=subject), message
    if notice.kind is NoticeKind.DIGEST:
        return (
            texts("alert_flapping_title", system=first),
            counted(texts, "alert_flapping_message", ctx.flaps, system=first),
        )
    why = _cause_text(ctx, texts, names)
    if notice.kind is NoticeKind.ESCALATION:
        title = texts("alert_escalation_title", subject=subject)
    elif notice.kind in (NoticeKind.REPEAT, NoticeKind.UPDATE):
        title = texts("alert_still_title", subject=subject)
    else:
        title = texts("alert_offline_title", subject=subject)
    message = texts(
        "alert_offline_message", since=ctx.since_text, duration=duration, cause=why
    )
    if ctx.tried:
        message += " " + ctx.tried
    return title, message


def system_names(names: Sequence[str], texts: Texts, limit: int | None) -> str:
    """The names of an alert's systems: all, or past `limit` the first and a count.

    "A, B, C" — or "A, B and 3 more".
    """
    if limit is None or len(names) <= limit:
        return ", ".join(names)
    named = max(limit - 1, 1)
    return counted(
        texts, "alert_names_more", len(names) - named, names=", ".join(names[:named])
    )


def alert_subject(record: Record, ctx: AlertContext, texts: Texts) -> str:
    """What the alert is about: a system, "Your internet", a provider's cloud."""
    return _subject(record, ctx, texts)


def _subject(record: Record, ctx: AlertContext, texts: Texts) -> str:
    if record.key.startswith("internet"):
        return texts("alert_subject_internet")
    if record.key.startswith("cloud:"):
        return texts("alert_subject_cloud", provider=ctx.provider)
    return ctx.systems[0] if ctx.systems else ""


def _cause_text(ctx: AlertContext, texts: Texts, names: str) -> str:
    if ctx.integration is not None and ctx.cause in (Cause.PROVIDER_CLOUD, Cause.AUTH):
        # e.g. Ring's integration cannot reach Ring's cloud since 14:02
        return texts(
            f"alert_cause_integration_{ctx.integration.trouble}",
            integration=ctx.integration.title,
            provider=ctx.provider,
            since=ctx.integration_since,
            systems=names,
        )
    if ctx.cause is Cause.INTERNET:
        return counted(texts, "alert_cause_internet", len(ctx.systems), systems=names)
    if ctx.cause is Cause.PROVIDER_CLOUD:
        return texts("alert_cause_cloud", provider=ctx.provider, systems=names)
    if ctx.cause is Cause.SYSTEM:
        key = "alert_cause_system_page" if ctx.status_page else "alert_cause_system"
        return (
            texts(key, provider=ctx.provider)
            + " "
            + texts("alert_no_provider_notice", provider=ctx.provider)
        )
    return texts("alert_cause_unknown")


def payload(
    notice: AlertNotice,
    ctx: AlertContext,
    phone: Phone,
    texts: Texts,
    *,
    critical: bool,
) -> dict[str, Any]:
    """The notify service data for one phone."""
    record = notice.record
    title, message = title_and_message(notice, ctx, texts, limit=NAMED_ON_PHONE)
    tag = alert_tag(record.alert_id)
    data: dict[str, Any] = {
        "tag": tag if notice.kind is not NoticeKind.RECOVERY else f"{tag}-back",
        "group": f"provider-watch-{ctx.provider or 'internet'}",
    }
    if ctx.device_path:
        data["url"] = data["clickAction"] = ctx.device_path
    if notice.kind is NoticeKind.RECOVERY and ctx.ask_notice:
        data["action_data"] = {"alert_id": record.alert_id}
        data["actions"] = notice_actions(record.alert_id, texts)
    if notice.kind in (NoticeKind.RECOVERY, NoticeKind.DIGEST):
        return {"title": title, "message": message, "data": data}
    data["action_data"] = {"alert_id": record.alert_id}
    data["actions"] = _actions(record.alert_id, ctx, phone, texts)
    if notice.kind is NoticeKind.UPDATE:
        data |= replacing(phone)  # the alert the phone shows: no second sound
    elif critical:
        if phone.ios:
            data["push"] = {"sound": {"name": "default", "critical": 1, "volume": 1.0}}
        else:
            data |= {"priority": "high", "ttl": 0, "channel": "alarm_stream"}
    return {"title": title, "message": message, "data": data}


def alert_tag(alert_id: str) -> str:
    """The tag of an alert's notification on the phones (its recovery: "-back")."""
    return f"provider-watch-{alert_id}"


def replacing(phone: Phone) -> dict[str, Any]:
    """What makes a push that replaces a notification the phone shows a quiet one."""
    if phone.ios:
        return {"push": {"interruption-level": "passive"}}
    return {"alert_once": True}  # Android: no sound for a tag already showing


def clear_payload(record: Record) -> dict[str, Any]:
    """Remove an alert's notification from the phone."""
    return clear_tag_payload(alert_tag(record.alert_id))


def clear_tag_payload(tag: str) -> dict[str, Any]:
    """Remove the notification with this tag from the phone."""
    return {"message": "clear_notification", "data": {"tag": tag}}


def notice_actions(alert_id: str, texts: Texts) -> list[dict[str, str]]:
    """The recovery's answers: "Yes, they told me" and "No"."""
    return [
        {"action": f"{ACTION_TOLD}{alert_id}", "title": texts("action_told")},
        {"action": f"{ACTION_NOT_TOLD}{alert_id}", "title": texts("action_not_told")},
    ]


def _actions(
    alert_id: str, ctx: AlertContext, phone: Phone, texts: Texts
) -> list[dict[str, str]]:
    """Acknowledge, Snooze 1 h, and Call support (or open the support page)."""
    actions = [
        {"action": f"{ACTION_ACK}{alert_id}", "title": texts("action_acknowledge")},
        {"action": f"{ACTION_SNOOZE}{alert_id}", "title": texts("action_snooze")},
    ]
    if ctx.support_phone:
        number = "".join(ch for ch in ctx.support_phone if ch.isdigit() or ch == "+")
        call = texts("action_call", provider=ctx.provider)
        if phone.ios:
            actions.append(
                {
                    "action": f"{ACTION_CALL}{alert_id}",
                    "title": call,
                    "uri": f"tel:{number}",
                }
            )
        else:
            actions.append(
                {"action": "URI", "title": call, "uri": f"deep-link://tel:{number}"}
            )
    elif ctx.support_url:
        actions.append(
            {
                "action": "URI" if not phone.ios else f"{ACTION_CALL}{alert_id}",
                "title": texts("action_open_support", provider=ctx.provider),
                "uri": ctx.support_url,
            }
        )
    return actions


# --- the summary once the internet is back --------------------------------------------


def summary_tag(open_ids: Collection[str]) -> str:
    """A summary about one open alert has its tag; about several (or none), its own."""
    return alert_tag(next(iter(open_ids))) if len(open_ids) == 1 else SUMMARY_TAG


def summary_payload(
    summary: Summary, texts: Texts, hhmm: Callable[[datetime], str]
) -> dict[str, Any]:
    """The summary push: one title, one line per system."""
    lines = [
        texts(
            "summary_back" if line.back else "summary_open",
            subject=line.system,
            since=hhmm(line.since),
        )
        for line in summary.lines
    ] or [texts("summary_none")]
    # a single alert still open keeps its tag: its reminders and its recovery
    # replace the summary on the phone as they would have replaced the alert
    data: dict[str, Any] = {
        "tag": summary_tag(summary.open_ids),
        "group": "provider-watch",
    }
    if len(summary.open_ids) == 1:  # and it can be acknowledged or snoozed
        alert_id = summary.open_ids[0]
        data["action_data"] = {"alert_id": alert_id}
        data["actions"] = [
            {"action": f"{ACTION_ACK}{alert_id}", "title": texts("action_acknowledge")},
            {"action": f"{ACTION_SNOOZE}{alert_id}", "title": texts("action_snooze")},
        ]
    title = texts(
        "summary_title", start=hhmm(summary.down_from), end=hhmm(summary.down_to)
    )
    return {"title": title, "message": "; ".join(lines), "data": data}


# --- self-heal -----------------------------------------------------------------------


def self_heal_line(
    summary: HealSummary, texts: Texts, hhmm: Callable[[datetime], str]
) -> str:
    """What self-heal tried, for the offline alert ("" when nothing is worth it).

    "Power-cycled Hub plug at 14:05, still offline." — and, when it stopped for a
    reason worth knowing, "Self-heal stopped: …" (or "Self-heal skipped: …" when it
    could not try at all).
    """
    if not summary.told:
        return ""
    reason = ""
    if summary.reason is not None and summary.reason in TOLD_REASONS:
        reason = texts(
            f"self_heal_reason_{summary.reason.value}", entity=summary.entity_name
        )
    if not summary.attempts:
        return texts("self_heal_skipped", reason=reason)
    line = texts("self_heal_still_offline", did=self_heal_did(summary, texts, hhmm))
    if reason:
        line += " " + texts("self_heal_stopped", reason=reason)
    return line


def self_heal_did(
    summary: HealSummary, texts: Texts, hhmm: Callable[[datetime], str]
) -> str:
    """What was done and when: "Power-cycled Hub plug at 14:05, 14:09"."""
    return texts(
        f"self_heal_did_{summary.action.value}",
        entity=summary.entity_name,
        times=", ".join(hhmm(at) for at in summary.attempts),
    )


def quiet_payload(
    title: str,
    message: str,
    phone: Phone,
    *,
    tag: str,
    group: str,
    channel: str,
    device_path: str | None = None,
) -> dict[str, Any]:
    """A low-priority push: no sound, no interruption (Android / iOS).

    Android takes the importance from the notification channel, so the quiet
    pushes have a channel of their own; iOS delivers a passive notification.
    """
    data: dict[str, Any] = {"tag": tag, "group": group}
    if device_path:
        data["url"] = data["clickAction"] = device_path
    if phone.ios:
        data["push"] = {"interruption-level": "passive"}
    else:
        data |= {"importance": "low", "channel": channel}
    return {"title": title, "message": message, "data": data}
