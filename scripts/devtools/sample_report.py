"""Write docs/sample-report.md, .csv and .html from the test suite's fixture data.

    python -m scripts.devtools.sample_report

The data is testkit/report_sample.py (October 2026, Europe/Berlin); tests/test_report.py
fails when these files or docs/evidence.md's copy of the Markdown are out of date.
"""

from pathlib import Path

from custom_components.provider_watch.logic.report import build_report
from testkit.report_sample import en_texts, sample_input

DOCS = Path(__file__).resolve().parents[2] / "docs"


def main() -> None:
    report = build_report(sample_input(), en_texts())
    DOCS.mkdir(exist_ok=True)
    (DOCS / "sample-report.md").write_text(report.markdown, encoding="utf-8")
    (DOCS / "sample-report.csv").write_text(report.csv, encoding="utf-8")
    (DOCS / "sample-report.html").write_text(report.html, encoding="utf-8")
    print(f"wrote {DOCS}/sample-report.md, .csv and .html")


if __name__ == "__main__":
    main()
