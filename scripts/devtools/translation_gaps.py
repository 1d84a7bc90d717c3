"""Compare each translations/<lang>.json with en.json; exit 1 on any gap.

For every language file other than en.json it prints:

- keys that en.json has and the file lacks (Home Assistant shows English there),
- keys that the file has and en.json lacks (never shown; usually a typo or a
  key renamed in en.json),
- strings whose `{placeholders}` differ from the English ones (Home Assistant
  drops such a translated string), and strings that are not valid templates.

Standard library only; runs on the host's python3 as well as in the toolchain:

    python3 scripts/devtools/translation_gaps.py            # every language
    python3 scripts/devtools/translation_gaps.py de nl      # only these
"""

from __future__ import annotations

import json
from pathlib import Path
import string
import sys
from typing import Any

TRANSLATIONS = (
    Path(__file__).resolve().parents[2]
    / "custom_components"
    / "provider_watch"
    / "translations"
)


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"a.b.c": leaf} for every leaf of a nested dict."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def placeholders(text: str) -> set[str]:
    """The `{names}` that str.format fills in (`{{` and `}}` are literal braces)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def gaps(english: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """One line per problem of `other` against `english` (flattened trees)."""
    lines = [f"missing: {key}" for key in english if key not in other]
    lines += [f"extra: {key}" for key in other if key not in english]
    for key, text in other.items():
        if key not in english:
            continue
        source = english[key]
        if not isinstance(text, str) or not isinstance(source, str):
            if type(text) is not type(source):
                lines.append(
                    f"type: {key}: {type(text).__name__}, en has "
                    f"{type(source).__name__}"
                )
            continue
        try:
            mine = placeholders(text)
        except ValueError as err:
            lines.append(f"invalid template: {key}: {err}")
            continue
        theirs = placeholders(source)
        if mine != theirs:
            lines.append(
                f"placeholders: {key}: "
                f"lacks {sorted(theirs - mine)}, adds {sorted(mine - theirs)}"
            )
    return lines


def main(argv: list[str]) -> int:
    english = flatten(json.loads((TRANSLATIONS / "en.json").read_text("utf-8")))
    files = (
        [TRANSLATIONS / f"{lang}.json" for lang in argv]
        if argv
        else sorted(p for p in TRANSLATIONS.glob("*.json") if p.name != "en.json")
    )
    bad = False
    for path in files:
        try:
            tree = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as err:
            print(f"{path.name}: cannot read: {err}")
            bad = True
            continue
        problems = gaps(english, flatten(tree))
        for line in problems:
            print(f"{path.name}: {line}")
        bad = bad or bool(problems)
        print(f"{path.name}: {len(problems)} problem(s)", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
