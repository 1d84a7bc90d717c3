"""What the HTML report's parts are written from, and how text becomes HTML.

Pure: no Home Assistant. report_html.py writes the page, report_charts.py its
charts' sections; both escape every text with `esc` (names, notes and contacts the
owner or the provider stored can hold <, & and quotes).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
import re
from typing import Any

from .report_input import ReportInput, Texts
from .report_locale import Locale
from .report_words import local_days, whole_days

CODE = re.compile(r"`([^`]+)`")


def esc(value: object) -> str:
    """Text as HTML: <, >, &, and both quotes escaped."""
    return escape(str(value), quote=True)


def prose(text: str) -> str:
    """A translated sentence as HTML: escaped, `code` marked as code."""
    return CODE.sub(r"<code>\1</code>", esc(text))


@dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    """What every part of the page is written from."""

    data: Mapping[str, Any]
    report: ReportInput
    texts: Texts
    loc: Locale
    months: Sequence[str]

    def when(self, iso: str | None) -> str | None:
        """An ISO time from the data, in the report's zone and language."""
        if iso is None:
            return None
        return self.loc.moment(datetime.fromisoformat(iso), self.report.zone)

    def pct(self, value: float) -> str:
        """A percentage's number, to 2 decimals."""
        return self.loc.number(value, 2)

    def period(self) -> tuple[str, str]:
        """The period's first and last day (or times, when not whole days)."""
        report = self.report
        if whole_days(report.window, report.zone):
            first, last = local_days(report.window, report.zone)
            return self.loc.long_day(first, self.months), self.loc.long_day(
                last, self.months
            )
        return (
            self.loc.moment(report.window.start, report.zone),
            self.loc.moment(report.window.end, report.zone),
        )
