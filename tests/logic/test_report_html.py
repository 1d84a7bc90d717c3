"""The HTML report: its figures, its safety, its colours, its print style, its words.

No Home Assistant: logic/report_html.py's page, read back with html.parser (the
charts' geometry: test_report_svg.py).
"""

from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
import re
import time

import pytest

from custom_components.provider_watch.logic import report_style as style
from custom_components.provider_watch.logic.report import build_report
from custom_components.provider_watch.logic.report_input import (
    Contacts,
    ReportSystem,
)
from testkit.report_sample import (
    OUTAGES,
    en_texts,
    long_history_input,
    sample_input,
)

# --- the page, read back -------------------------------------------------------------


@dataclass
class Page(HTMLParser):
    """Every tag with its attributes, and every text outside <style>.

    A text runs on through inline tags (<span>, <code>): "2026-10-03 08:20 CEST by
    Alex" is one text even with its date in a <span>.
    """

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)
    run: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def flush(self, tag: str) -> None:
        if tag not in {"span", "code"} and (words := "".join(self.run).strip()):
            self.text.append(words)
        if tag not in {"span", "code"}:
            self.run = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.flush(tag)
        self.tags.append((tag, dict(attrs)))
        if tag not in {"meta", "rect", "circle", "path", "br"}:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.flush(tag)
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.flush(tag)
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "style":
            self.styles.append(data)
        else:
            self.run.append(data)


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


SAMPLE_HTML = build_report(sample_input(), en_texts()).html
ALLOWED_TAGS = {
    *("html", "head", "meta", "title", "style", "body", "table", "thead", "tbody"),
    *("tr", "th", "td", "div", "h1", "h2", "h3", "p", "section", "figure", "span"),
    *("ul", "li", "dl", "dt", "dd", "pre", "strong", "b", "code"),
    *("svg", "pattern", "rect", "circle", "path", "title"),
}


def test_sample_page_shows_the_figures() -> None:
    page = read(SAMPLE_HTML)
    text = "\n".join(page.text)
    assert SAMPLE_HTML.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "6 outages, 10 h 7 min offline, you were told about 1" in page.text
    assert (
        "Uptime 98.77 % · outages: 4 · offline: 9 h 12 min · longest: 6 h 40 min"
        in page.text
    )
    for expected in (
        "€39.90",  # fee and paid
        "€0.35 (the part of what you paid that covered time the systems were",
        "0.89 % of the time the systems were monitored",
        "15 January 2027",
        "Your contract renews on 15 January 2027: raise this before renewing.",
        "Acme Alarm Monitoring told you",
        "Found only by Provider Watch",
        "Dana Whitfield, accounts@acme.example",
        "+1 555 0100 · https://support.acme.example/tickets",
        "no: Support knew nothing of it the next morning",
        "2026-10-25 02:20 CET",  # the outage across the DST change
        "12 October 2026: 1 h 55 min offline (7.99 % of the time monitored)",
        (
            "sample-2: 2026-10-12 22:05 CEST to 2026-10-13 04:45 CEST, 6 h 40 min, "
            "The system itself"
        ),
        "1 October 2026: not monitored",  # the hub, before the 15th
    ):
        assert expected in text, expected
    # told / not told / not answered, in that order
    told = re.findall(
        r'<div class="(told|not_told|unanswered)"><b>(\d+)</b>', SAMPLE_HTML
    )
    assert told == [("told", "1"), ("not_told", "3"), ("unanswered", "1")]
    # every outage of the period in the table, by its ID
    rows = re.findall(r"<tr><td>(sample-\d)</td>", SAMPLE_HTML)
    assert rows == [
        "sample-1",
        "sample-2",
        "sample-5",
        "sample-3",
        "sample-4",
        "sample-6",
    ]
    # one strip bar per day per system; one timeline box per outage
    assert SAMPLE_HTML.count('<svg viewBox="0 0 720 32"') == 2
    assert len(re.findall(r'<rect x="[\d.]+" y="1" ', SAMPLE_HTML)) == 6
    assert "<code>provider_watch.record_provider_notice</code>" in SAMPLE_HTML


def test_no_script_and_nothing_to_fetch() -> None:
    page = read(SAMPLE_HTML)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert name not in {"src", "href", "srcset", "action", "xlink:href"}, tag
            assert not name.startswith("on"), (tag, name)
            assert "http" not in (value or ""), (tag, name, value)
            if value and "url(" in value:
                assert re.fullmatch(r"url\(#pw-[a-z]+\)", value), value
    css = "".join(page.styles)
    assert "@import" not in css
    assert "url(" not in css
    assert "<script" not in SAMPLE_HTML.lower()
    assert "http" not in SAMPLE_HTML.replace("https://support.acme.example", "")


HOSTILE = "<script>alert(\"x\")</script> & 'Co'"


def test_user_data_is_escaped() -> None:
    base = sample_input()
    hostile = replace(
        base,
        provider=f"Acme {HOSTILE}",
        contacts=Contacts(
            support_phone='"><img src=x onerror=alert(1)>',
            account=f"Dana {HOSTILE} <dana@acme.example>",
        ),
        systems=[
            ReportSystem(id=s.id, name=f"{s.name} <b>{HOSTILE}", added=s.added)
            for s in base.systems
        ],
        outages=[
            replace(
                o,
                system=f"{o.system} {HOSTILE}",
                notice_note=f"</pre></td>{HOSTILE}",
                detected_reason=f"<svg onload=alert(1)> {HOSTILE}",
                id=f"{o.id}<i>",
            )
            for o in OUTAGES
        ],
        users={"user-alex": f"Alex {HOSTILE}"},
    )
    html = build_report(hostile, en_texts()).html
    page = read(html)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    assert not any(a.startswith("on") for _, attrs in page.tags for a in attrs)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;Co&#x27;" in (
        html
    )
    text = "\n".join(page.text)
    # read back, the texts are what was stored
    assert f"Outage report: Acme {HOSTILE}" in text
    assert f"Alarm panel <b>{HOSTILE}" in text
    assert f"no: </pre></td>{HOSTILE}" in text
    assert "sample-1<i>" in text
    assert "dana@acme.example" in text  # the message's recipient


# --- colours ------------------------------------------------------------------------

TEXT = (style.INK, style.MUTED, style.ALERT)
BACKGROUNDS = (
    style.PAPER,
    style.CARD,
    style.HEAD,
    style.TOLD,
    style.NOT_TOLD,
    style.UNANSWERED,
)


def test_contrast_formula() -> None:
    assert style.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert style.contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert style.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("colour", TEXT)
def test_text_meets_wcag_aa(colour: str, background: str) -> None:
    assert style.contrast(colour, background) >= 4.5


@pytest.mark.parametrize("fill", style.FILLS)
def test_chart_colours_stand_out_from_the_paper(fill: str) -> None:
    assert style.contrast(fill, style.PAPER) >= 3


def test_the_style_sheet_uses_only_checked_colours() -> None:
    css = "".join(read(SAMPLE_HTML).styles)
    texts = set(re.findall(r"(?<![-\w])color: (#[0-9a-f]{6})", css))
    grounds = set(re.findall(r"background: (#[0-9a-f]{6})", css))
    assert texts == set(TEXT)
    # .bar (a chart, no text on it) is the one background text is never drawn on
    assert grounds - {style.MUTED} == set(BACKGROUNDS)
    assert all(style.contrast(c, b) >= 4.5 for c, b in style.TEXT_PAIRS)


# --- print -------------------------------------------------------------------------


def test_print_style() -> None:
    css = "".join(read(SAMPLE_HTML).styles)
    assert "@page { size: auto; margin: 14mm 12mm 16mm; }" in css
    assert "tr { break-inside: avoid; page-break-inside: avoid; }" in css
    assert "thead { display: table-header-group; }" in css
    assert "print-color-adjust: exact" in css
    # the running header: the page's table head, repeated on every printed page
    assert re.search(
        r'<table class="page" role="presentation"><thead><tr><td>'
        r'<div class="running">Acme Alarm Monitoring: 1 October 2026 to 31 October '
        r"2026</div></td></tr></thead>",
        SAMPLE_HTML,
    )


# --- size and speed -----------------------------------------------------------------


def test_400_days_and_2000_outages_stay_small() -> None:
    sample = long_history_input()
    started = time.perf_counter()
    report = build_report(sample, en_texts())
    elapsed = time.perf_counter() - started
    size = len(report.html.encode())
    assert size <= 2 * 1024 * 1024, size
    assert len(report.data["outages"]) == 2000
    assert report.html.count("<tr><td>01JB2Q8ZK4W0A6M3R5T7V9") == 2000
    assert elapsed < 10  # ~0.5 s on the bench machine (scripts/devtools/bench_report)


# --- words --------------------------------------------------------------------------


def marked(key: str, **placeholders: str) -> str:
    """A translation that shows its key: any other visible text is not translated."""
    return f"⟦{key}⟧" + "|".join(placeholders.values())


def test_every_word_on_the_page_is_a_translation() -> None:
    sample = sample_input()
    html = build_report(sample, marked).html
    page = read(html)
    stored = {s.name for s in sample.systems} | {
        value
        for o in OUTAGES
        for value in (o.id, o.system, f"{o.detected_kind}: {o.detected_reason}")
    }
    stored |= {
        "Dana Whitfield, accounts@acme.example",
        "product@acme.example",
        "+1 555 0100 · https://support.acme.example/tickets",
        "accounts@acme.example",  # the message's recipient
    }
    figures = re.compile(
        r"[\d .]+"  # counts; dates without month names (the marker has none)
        r"|\d{4}-\d\d-\d\d \d\d:\d\d CES?T"  # times
        r"|\d+ (s|min|h|d)( \d+ (min|h))?"  # durations
        r"|€[\d.,]+"  # money
        r"|—"  # nothing to show
    )
    for text in page.text:
        assert "⟦" in text or text in stored or figures.fullmatch(text), text
    labels = [a["aria-label"] for _, a in page.tags if a.get("aria-label")]
    assert labels
    assert all(label.startswith("⟦report_html_") for label in labels)


@pytest.mark.parametrize(
    ("language", "lang", "fee", "uptime"),
    [
        ("en", "en", "€39.90", "Uptime 98.77 %"),
        ("de", "de", "39,90\u00a0€", "Uptime 98,77 %"),
        ("de-CH", "de-CH", "39,90\u00a0€", "Uptime 98,77 %"),
        ("nl", "nl", "€\u00a039,90", "Uptime 98,77 %"),
        ("fr", "fr", "39,90\u00a0€", "Uptime 98,77 %"),
        ("es", "es", "39,90\u00a0€", "Uptime 98,77 %"),
        ("pt_BR", "pt-BR", "€39.90", "Uptime 98.77 %"),
        ('"><x', "en", "€39.90", "Uptime 98.77 %"),
    ],
)
def test_the_page_is_written_in_the_reports_language(
    language: str, lang: str, fee: str, uptime: str
) -> None:
    report = build_report(replace(sample_input(), language=language), en_texts())
    assert report.html.startswith(f'<!DOCTYPE html>\n<html lang="{lang}">')
    text = "\n".join(read(report.html).text)
    assert f"Monthly fee\n{fee}" in text
    assert uptime in text
    # the summary's words write the uptime as the language does; the Markdown's
    # tables and the CSV keep their machine-readable numbers
    figure = uptime.removeprefix("Uptime ")
    assert f"That is an uptime of {figure}." in report.data["summary"]
    english = build_report(sample_input(), en_texts())
    summary = report.data["summary"]
    # (its long dates follow the language: '1. Oktober 2026')
    same = report.markdown.replace(summary, english.data["summary"]) == english.markdown
    assert same == (lang not in {"de", "de-CH", "es"})
    assert report.csv == english.csv
