"""The HTML report of a long history: how long it takes, how big it is.

    python -m scripts.devtools.bench --only report

400 days (the history keeps no more), two systems, 2,000 outages
(testkit/report_sample.py's long_history_input). Targets: the HTML page written in
<= 1 s (the median of 5 runs) and <= 2 MiB. The report's figures (report_data) and
the Markdown are timed too (informational). Pure Python: no Home Assistant.
"""

import statistics
import time
from typing import Any

from custom_components.provider_watch.logic.report import report_data
from custom_components.provider_watch.logic.report_html import render_html
from custom_components.provider_watch.logic.report_markdown import render_markdown
from testkit.report_sample import en_texts, long_history_input

RUNS = 5
MIB = 1024 * 1024


def _median(run: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def bench_report(report: Any, quick: bool, only: set[str]) -> None:
    """Add the section's figures to the bench's report (when asked for)."""
    if "report" not in only:
        return
    print("report: HTML of 400 days, 2,000 outages (pure)", flush=True)
    given, texts = long_history_input(), en_texts()
    figures_s, data = _median(lambda: report_data(given, texts))
    html_s, html = _median(lambda: render_html(data, given, texts))
    markdown_s, _ = _median(lambda: render_markdown(data, given, texts))
    size = len(html.encode()) / MIB
    report.add("report", "figures (report_data)", figures_s, "s")
    report.add("report", "HTML page", html_s, "s", target=1.0, note="median of 5")
    report.add("report", "HTML size", size, "MiB", target=2.0)
    report.add("report", "Markdown", markdown_s, "s")
    report.details["report"] = {
        "days": 400,
        "outages": len(given.outages),
        "figures_s": figures_s,
        "html_s": html_s,
        "html_bytes": len(html.encode()),
        "markdown_s": markdown_s,
    }
