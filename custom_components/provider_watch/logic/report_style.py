"""The HTML report's colours and style sheet. Pure: no Home Assistant.

Dark text on white, on screen and on paper. Every colour is named here; TEXT_PAIRS
lists each text colour with each background it is drawn on (tests hold them to WCAG
AA: a contrast of 4.5 or more), and FILLS the colours of the charts' bars (3 or more
against white, as WCAG asks of graphics). Colour never carries meaning alone: the
uptime strip's levels also differ in pattern and height, and every bar and outage has
its figures in words (its SVG title and the legend).
"""

INK = "#1b1b1b"
MUTED = "#4d5156"
PAPER = "#ffffff"
CARD = "#f3f4f6"
HEAD = "#e3e6ea"
RULE = "#c4c8ce"
ALERT = "#8e1616"  # the headline
TOLD = "#e3f1e6"
NOT_TOLD = "#f9e3e1"
UNANSWERED = "#f7eedb"
BAND = "#dde1e6"  # the monitored part of a timeline (not information by itself)

# the uptime strip, by the share of a day offline
UP = "#2e7d32"
MINOR = "#8a6100"
MAJOR = "#c2410c"
SEVERE = "#a11919"
UNMONITORED = "#858585"

# the timeline, by cause
CAUSE_COLOURS = {
    "provider_cloud": "#a11919",
    "internet": "#1f5fbf",
    "system": "#c2410c",
    "auth": "#6b3fa0",
    "unknown": "#5c6166",
}

TEXT_PAIRS = (
    (INK, PAPER),
    (MUTED, PAPER),
    (ALERT, PAPER),
    (INK, CARD),
    (MUTED, CARD),
    (INK, HEAD),
    (INK, TOLD),
    (INK, NOT_TOLD),
    (INK, UNANSWERED),
)
FILLS = (UP, MINOR, MAJOR, SEVERE, UNMONITORED, *CAUSE_COLOURS.values())


def luminance(colour: str) -> float:
    """The relative luminance of '#rrggbb' (WCAG 2)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


CSS = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
html {{ background: {PAPER}; }}
body {{ margin: 0 auto; max-width: 62rem; padding: 1.5rem; color: {INK};
  background: {PAPER}; font: 15px/1.45 system-ui, -apple-system, "Segoe UI",
  Roboto, Helvetica, Arial, sans-serif;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
h1 {{ font-size: 1.6rem; margin: 0 0 .2rem; }}
h2 {{ font-size: 1.15rem; margin: 1.6rem 0 .5rem; padding-bottom: .2rem;
  border-bottom: 1px solid {RULE}; break-after: avoid; }}
h3 {{ font-size: 1rem; margin: 1rem 0 .3rem; break-after: avoid; }}
p {{ margin: .4rem 0; }}
.muted {{ color: {MUTED}; }}
.headline {{ font-size: 1.35rem; font-weight: 700; color: {ALERT};
  margin: .8rem 0; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; vertical-align: top; padding: .25rem .4rem;
  border-bottom: 1px solid {RULE}; }}
th {{ background: {HEAD}; color: {INK}; }}
td.n, th.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
thead {{ display: table-header-group; }}
table.page, table.page > * > tr > td {{ border: 0; padding: 0; }}
.running {{ display: none; }}
.system, .card, figure, dl, .counts {{ break-inside: avoid;
  page-break-inside: avoid; }}
.card {{ background: {CARD}; color: {INK}; padding: .6rem .9rem;
  border-radius: 4px; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem;
  margin: .4rem 0; }}
dt {{ font-weight: 600; }}
dd {{ margin: 0; }}
svg {{ display: block; width: 100%; height: auto; }}
figure {{ margin: .3rem 0 .8rem; }}
figcaption {{ color: {MUTED}; font-size: .85rem; }}
.ends {{ display: flex; justify-content: space-between; color: {MUTED};
  font-size: .85rem; }}
.legend {{ display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; padding: 0;
  margin: .3rem 0; list-style: none; font-size: .85rem; }}
.legend li {{ display: flex; align-items: center; gap: .35rem; }}
.legend svg {{ width: 1.1rem; height: 1.1rem; }}
.counts {{ display: flex; gap: .6rem; flex-wrap: wrap; margin: .5rem 0; }}
.counts div {{ flex: 1 1 10rem; padding: .5rem .8rem; border-radius: 4px;
  color: {INK}; }}
.counts b {{ display: block; font-size: 1.5rem; }}
.told {{ background: {TOLD}; }}
.not_told {{ background: {NOT_TOLD}; }}
.unanswered {{ background: {UNANSWERED}; }}
.bar {{ display: inline-block; height: .7rem; background: {MUTED};
  vertical-align: middle; }}
pre {{ white-space: pre-wrap; font: inherit; margin: .5rem 0 0; }}
.outages {{ font-size: .85rem; }}
.outages td {{ overflow-wrap: break-word; }}
.outages .d {{ white-space: nowrap; }}
.outages td:first-child {{ min-width: 9ch; overflow-wrap: anywhere; }}
@page {{ size: auto; margin: 14mm 12mm 16mm; }}
@media print {{
  body {{ max-width: none; padding: 0; font-size: 9.5pt; }}
  .running {{ display: block; color: {MUTED}; font-size: 8pt;
    padding-bottom: 2mm; margin-bottom: 3mm; border-bottom: 1px solid {RULE}; }}
  h2 {{ margin-top: 5mm; }}
  .outages {{ font-size: 7.5pt; }}
  .outages th, .outages td {{ padding: .15rem .2rem; }}
}}
"""
