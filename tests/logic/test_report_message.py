"""The message to the provider, and numbers, dates and money in five languages.

No Home Assistant: logic/report_message.py and logic/report_locale.py.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from custom_components.provider_watch.logic.cost import Contract
from custom_components.provider_watch.logic.report import build_report
from custom_components.provider_watch.logic.report_input import Contacts, ReportSystem
from custom_components.provider_watch.logic.report_locale import (
    NBSP,
    NNBSP,
    locale_for,
)
from custom_components.provider_watch.logic.report_message import (
    MAX_LISTED,
    recipient,
)
from testkit.report_sample import BERLIN, OUTAGES, en_texts, sample_input

SAMPLE = build_report(sample_input(), en_texts())
G = NNBSP  # French digit groups


def test_the_sample_message() -> None:
    message = SAMPLE.data["message"]
    assert message["to"] == "accounts@acme.example"  # the account contact
    assert message["subject"] == (
        "Acme Alarm Monitoring: outages of the systems you monitor for me, "
        "1 October 2026 to 31 October 2026"
    )
    assert message["body"] == (
        "Hello,\n\n"
        "I pay Acme Alarm Monitoring €39.90 a month to monitor Alarm panel, Leak "
        "sensor hub.\n\n"
        "Between 1 October 2026 and 31 October 2026, my own monitoring recorded 6 "
        "outages, 10 h 7 min offline in total (all systems added up):\n"
        "- 3 October 2026 08:10, Alarm panel: offline for 30 min, cause: your side "
        "(cloud or API)\n"
        "- 12 October 2026 22:05, Alarm panel: offline for 6 h 40 min, cause: the "
        "system itself; I only found it through my own monitoring (my note: Support "
        "knew nothing of it the next morning)\n"
        "- 20 October 2026 09:00, Leak sensor hub: offline for 25 min, cause: your "
        "side (cloud or API); you told me about it (my note: SMS from Acme at "
        "09:20)\n"
        "- 25 October 2026 01:30, Alarm panel: offline for 1 h 50 min, cause: my "
        "home internet\n"
        "- 30 October 2026 14:00, Alarm panel: offline for 12 min, cause: your side "
        "(cloud or API); I only found it through my own monitoring\n"
        "- 31 October 2026 23:30, Leak sensor hub: offline for 1 h 15 min, cause: "
        "the system itself; I only found it through my own monitoring\n\n"
        "Of the outages I checked, you told me about 1; 3 I only found through my "
        "own monitoring. At the fee's rate, the time offline was worth €0.35 of the "
        "€39.90 I paid for this period.\n\n"
        "Do you monitor my systems, and will you alert me when one of them goes "
        "offline?\n\n"
        "My contract renews on 15 January 2027.\n\n"
        "Kind regards"
    )


def test_the_message_never_goes_to_support_and_is_in_the_page() -> None:
    message = SAMPLE.data["message"]
    for support in ("+1 555 0100", "support.acme.example", "Support:"):
        assert support not in message["body"] + message["subject"] + message["to"]
    html = SAMPLE.html
    assert "<dd>accounts@acme.example</dd>" in html
    assert "Do you monitor my systems, and will you alert me when one of" in html
    # it ends the page (before the footnote)
    assert html.index("A message for Acme Alarm Monitoring") > html.index(
        "Contacts at Acme Alarm Monitoring"
    )


def test_one_system_no_fee_no_answers_no_contact() -> None:
    base = sample_input()
    panel = base.systems[0]
    sample = replace(
        base,
        contract=Contract(),
        contacts=Contacts(support_phone="+1 555 0100"),
        systems=[panel],
        outages=[replace(o, provider_told=None, notice_note=None) for o in OUTAGES],
    )
    report = build_report(sample, en_texts())
    message = report.data["message"]
    assert message["to"] is None  # support is never the recipient
    body = message["body"]
    assert "Acme Alarm Monitoring monitors Alarm panel for me." in body
    assert "recorded 4 outages, 9 h 12 min offline in total" in body
    assert "Do you monitor my system, and will you alert me when it goes offline?" in (
        body
    )
    for absent in ("you told me", "only found", "worth", "renews", "my note"):
        assert absent not in body, absent
    assert "No account or product contact is stored" in report.html


def test_one_outage_none_and_many() -> None:
    base = sample_input()
    one = build_report(replace(base, outages=OUTAGES[:1]), en_texts())
    assert (
        "my own monitoring recorded 1 outage, 30 min offline:\n- 3 October"
        in (one.data["message"]["body"])
    )
    none = build_report(replace(base, outages=[]), en_texts())
    assert "my own monitoring recorded no outages.\n\n" in none.data["message"]["body"]
    start = base.window.start
    many = [
        replace(
            OUTAGES[0],
            id=f"m-{n}",
            start=start + timedelta(hours=10 * n),
            end=start + timedelta(hours=10 * n, minutes=5),
        )
        for n in range(MAX_LISTED + 3)
    ]
    body = build_report(replace(base, outages=many), en_texts()).data["message"]
    lines = body["body"].splitlines()
    assert sum(line.startswith("- ") for line in lines) == MAX_LISTED + 1
    assert "- and 3 more" in lines


def test_an_ongoing_outage_in_the_message() -> None:
    now = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    ongoing = replace(OUTAGES[0], start=now - timedelta(hours=2), end=None)
    body = build_report(
        replace(sample_input(), now=now, outages=[ongoing]), en_texts()
    ).data["message"]["body"]
    assert (
        "- 20 October 2026 12:00, Alarm panel: offline since then, 2 h so far, "
        "cause: your side (cloud or API)"
    ) in body


@pytest.mark.parametrize(
    ("account", "feedback", "to"),
    [
        ("Dana Whitfield, accounts@acme.example", None, "accounts@acme.example"),
        ("Dana <dana.w@acme.example>", "product@acme.example", "dana.w@acme.example"),
        (None, "Product team: product@acme.example", "product@acme.example"),
        ("  ", "feedback form on the website", "feedback form on the website"),
        ("Dana Whitfield (call her)", None, "Dana Whitfield (call her)"),
        (None, None, None),
    ],
)
def test_recipient(account: str | None, feedback: str | None, to: str | None) -> None:
    assert recipient({"account": account, "feedback": feedback}) == to


def test_a_german_message_writes_german_numbers() -> None:
    sample = replace(sample_input(), language="de")
    body = build_report(sample, en_texts()).data["message"]["body"]
    assert f"I pay Acme Alarm Monitoring 39,90{NBSP}€ a month" in body
    assert f"worth 0,35{NBSP}€ of the 39,90{NBSP}€ I paid" in body
    assert "- 3. October 2026 08:10, Alarm panel" in body  # months: the translation's


def test_single_system_names_in_the_summary_are_not_lost() -> None:
    sample = replace(
        sample_input(),
        systems=[ReportSystem(id="x", name="Gate, side", added=None)],
        outages=[],
    )
    body = build_report(sample, en_texts()).data["message"]["body"]
    assert "to monitor Gate, side." in body


# --- numbers, dates and money -------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "small", "thousands", "million", "negative"),
    [
        ("en", "3.50", "1,234.50", "1,234,567.89", "-1,234.50"),
        ("de", "3,50", "1.234,50", "1.234.567,89", "-1.234,50"),
        ("nl", "3,50", "1.234,50", "1.234.567,89", "-1.234,50"),
        (
            "fr",
            "3,50",
            f"1{NNBSP}234,50",
            f"1{NNBSP}234{NNBSP}567,89",
            f"-1{NNBSP}234,50",
        ),
        ("es", "3,50", "1234,50", "1.234.567,89", "-1234,50"),
    ],
)
def test_numbers(
    language: str, small: str, thousands: str, million: str, negative: str
) -> None:
    loc = locale_for(language)
    assert loc.number(3.5) == small
    assert loc.number(1234.5) == thousands
    assert loc.number(1234567.891) == million
    assert loc.number(-1234.5) == negative
    assert loc.number(-0.001) == loc.number(0.0)  # no "-0.00"
    assert loc.number(12345, 0) == {"es": "12.345", "fr": f"12{NNBSP}345"}.get(
        language, "12,345" if language == "en" else "12.345"
    )
    assert loc.number(float("nan")) == "—"


@pytest.mark.parametrize(
    ("language", "eur", "chf", "jpy", "none"),
    [
        ("en", "€39.90", f"CHF{NBSP}1,039.90", "¥1,040", "39.90"),
        ("de", f"39,90{NBSP}€", f"1.039,90{NBSP}CHF", f"1.040{NBSP}¥", "39,90"),
        ("nl", f"€{NBSP}39,90", f"CHF{NBSP}1.039,90", f"¥{NBSP}1.040", "39,90"),
        (
            "fr",
            f"39,90{NBSP}€",
            f"1{NNBSP}039,90{NBSP}CHF",
            f"1{NNBSP}040{NBSP}¥",
            "39,90",
        ),
        ("es", f"39,90{NBSP}€", f"1039,90{NBSP}CHF", f"1040{NBSP}¥", "39,90"),
    ],
)
def test_money(language: str, eur: str, chf: str, jpy: str, none: str) -> None:
    loc = locale_for(language)
    assert loc.money(39.9, "EUR") == eur
    assert loc.money(1039.9, "chf") == chf
    assert loc.money(1039.9, "JPY") == jpy
    assert loc.money(39.9, None) == none


@pytest.mark.parametrize(
    ("language", "digits", "long", "short", "moment"),
    [
        ("en", "2026-10-03", "3 October 2026", "3 October", "2026-10-25 02:20 CET"),
        ("de", "03.10.2026", "3. October 2026", "3. October", "25.10.2026 02:20 CET"),
        ("nl", "03-10-2026", "3 October 2026", "3 October", "25-10-2026 02:20 CET"),
        ("fr", "03/10/2026", "3 October 2026", "3 October", "25/10/2026 02:20 CET"),
        (
            "es",
            "03/10/2026",
            "3 de October de 2026",
            "3 de October",
            "25/10/2026 02:20 CET",
        ),
    ],
)
def test_dates(language: str, digits: str, long: str, short: str, moment: str) -> None:
    loc = locale_for(language)
    months = [f"M{m}" for m in range(1, 10)] + ["October", "M11", "M12"]
    assert loc.day(date(2026, 10, 3)) == digits
    assert loc.long_day(date(2026, 10, 3), months) == long
    assert loc.long_day(date(2026, 10, 3), months, year=False) == short
    # 02:20 after the clocks went back (CET, not CEST)
    after = datetime(2026, 10, 25, 1, 20, tzinfo=UTC)
    assert loc.moment(after, BERLIN) == moment
    assert loc.moment(after - timedelta(hours=1), BERLIN).endswith("02:20 CEST")


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("de", "de"),
        ("de-CH", "de"),
        ("NL", "nl"),
        ("fr_CA", "fr"),
        ("es-419", "es"),
        ("en-GB", "en"),
        ("pt-BR", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_locale_for(tag: str | None, language: str) -> None:
    assert locale_for(tag).language == language
