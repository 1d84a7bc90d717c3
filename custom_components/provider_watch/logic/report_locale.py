"""Numbers, dates and money as a language writes them. Pure: no Home Assistant.

Babel is not part of Home Assistant's requirements, so the few conventions the HTML
report and the message to the provider need are kept here, for English, German,
Dutch, French and Spanish (CLDR's choices); any other language reads as English.
The words themselves (month names, sentences) stay in the translations.

- English writes 1,234.56, dates as 2026-10-03 (ISO: readable the same in the US and
  the UK) and money as €39.90 (the symbol first).
- German and Dutch write 1.234,56; German dates as 03.10.2026, Dutch as 03-10-2026.
- French groups with a narrow no-break space (1 234,56) and writes 03/10/2026.
- Spanish writes 1234,56 but 12.345,67 (4-digit numbers are not grouped) and
  03/10/2026.
- Money: the symbol (or the ISO code when the currency has none here) before the
  amount in English and Dutch, after it in German, French and Spanish; a no-break
  space keeps them together (none in English after a symbol, as in "€39.90").
  Yen and won have no decimals.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
import math

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: French digit groups

SYMBOLS = {
    "EUR": "€",
    "USD": "$",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "¥",
    "INR": "₹",
    "KRW": "₩",
    "PLN": "zł",
}
NO_DECIMALS = frozenset({"JPY", "KRW", "ISK", "CLP", "HUF"})


@dataclass(frozen=True, kw_only=True, slots=True)
class Locale:
    """How one language writes numbers, dates and amounts."""

    language: str
    decimal: str
    group: str
    min_grouping: int = 1  # digits above the first group before grouping starts
    numeric_date: str  # str.format with day, month, year (zero-padded)
    long_date: str  # str.format with day, month (a name), year
    day_month: str  # the same without the year
    day_alone: str = "{day}"  # the first day of "1 and 31 October": '1.' in German
    symbol_first: bool
    symbol_space: str  # between a symbol and the amount

    def number(self, value: float, decimals: int = 2) -> str:
        """1234.5 as '1,234.50' (en), '1.234,50' (de), '1 234,50' (fr) ..."""
        if not math.isfinite(value):
            return "—"
        text = f"{abs(value):.{decimals}f}"
        whole, _, fraction = text.partition(".")
        if len(whole) >= 3 + self.min_grouping:
            head = len(whole) % 3 or 3
            groups = [whole[:head]]
            groups += [whole[i : i + 3] for i in range(head, len(whole), 3)]
            whole = self.group.join(groups)
        sign = "-" if value < 0 and float(text) != 0 else ""
        return sign + whole + (self.decimal + fraction if fraction else "")

    def money(self, amount: float, currency: str | None) -> str:
        """39.9 EUR as '€39.90' (en), '39,90 €' (de), '€ 39,90' (nl) ..."""
        code = (currency or "").upper()
        figure = self.number(amount, 0 if code in NO_DECIMALS else 2)
        if not code:
            return figure
        symbol = SYMBOLS.get(code, code)
        # a code (or a symbol of letters) never touches the digits
        space = NBSP if symbol.isalpha() else self.symbol_space
        if self.symbol_first:
            return f"{symbol}{space}{figure}"
        return f"{figure}{space}{symbol}"

    def day(self, value: date) -> str:
        """A date in digits: '2026-10-03' (en), '03.10.2026' (de) ..."""
        return self.numeric_date.format(
            day=value.day, month=value.month, year=value.year
        )

    def long_day(self, value: date, months: Sequence[str], *, year: bool = True) -> str:
        """'3 October 2026' (en), '3. Oktober 2026' (de), '3 de octubre de 2026' ..."""
        pattern = self.long_date if year else self.day_month
        return pattern.format(
            day=value.day, month=months[value.month - 1], year=value.year
        )

    def moment(self, value: datetime, zone: tzinfo) -> str:
        """A time as '2026-10-03 08:10 CEST' (the zone tells DST hours apart)."""
        local = value.astimezone(zone)
        return f"{self.day(local.date())} {local:%H:%M %Z}".rstrip()


LOCALES = {
    "en": Locale(
        language="en",
        decimal=".",
        group=",",
        numeric_date="{year:04d}-{month:02d}-{day:02d}",
        long_date="{day} {month} {year}",
        day_month="{day} {month}",
        symbol_first=True,
        symbol_space="",
    ),
    "de": Locale(
        language="de",
        decimal=",",
        group=".",
        numeric_date="{day:02d}.{month:02d}.{year:04d}",
        long_date="{day}. {month} {year}",
        day_month="{day}. {month}",
        day_alone="{day}.",
        symbol_first=False,
        symbol_space=NBSP,
    ),
    "nl": Locale(
        language="nl",
        decimal=",",
        group=".",
        numeric_date="{day:02d}-{month:02d}-{year:04d}",
        long_date="{day} {month} {year}",
        day_month="{day} {month}",
        symbol_first=True,
        symbol_space=NBSP,
    ),
    "fr": Locale(
        language="fr",
        decimal=",",
        group=NNBSP,
        numeric_date="{day:02d}/{month:02d}/{year:04d}",
        long_date="{day} {month} {year}",
        day_month="{day} {month}",
        symbol_first=False,
        symbol_space=NBSP,
    ),
    "es": Locale(
        language="es",
        decimal=",",
        group=".",
        min_grouping=2,
        numeric_date="{day:02d}/{month:02d}/{year:04d}",
        long_date="{day} de {month} de {year}",
        day_month="{day} de {month}",
        symbol_first=False,
        symbol_space=NBSP,
    ),
}


def locale_for(language: str | None) -> Locale:
    """The conventions of a language tag ('de', 'de-CH', 'pt_BR' ...); English else."""
    base = (language or "").replace("_", "-").split("-")[0].lower()
    return LOCALES.get(base, LOCALES["en"])
