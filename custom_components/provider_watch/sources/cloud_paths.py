"""JSON paths in a provider's answer: which paths can be used, what they match.

jsonpath-python (the library Home Assistant's `rest` integration uses) checks
very little up front; these helpers refuse paths that would never match and turn
its errors into one exception. Pure: no Home Assistant.
"""

import re

from jsonpath import (
    ExprSyntaxError,
    JSONPathTypeError,
    search,
)

INVALID_PATH = "invalid JSON path"

# What jsonpath-python may raise for a path it cannot handle. It checks very little
# up front: most bad paths simply match nothing, some fail only once they meet data
# (a sorter or field extractor on the wrong type, a zero slice step), and a path that
# contains its internal placeholders ("#Q0", "#B1", ...) fails with IndexError.
_PATH_ERRORS = (
    ExprSyntaxError,
    JSONPathTypeError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
)

_QUOTED = re.compile(r"'[^']*'")
# Bracket forms jsonpath-python accepts but never matches: `[]`, double-quoted
# member names (`["a"]`; only single quotes work) and negative indexes (`[-1]`).
_DEAD_BRACKET = re.compile(r"\[\s*(?:\]|\"|-\d+\s*\])")
_PAIRS = {")": "(", "]": "["}


def validate_path(path: str) -> bool:
    """True if `path` is a JSON path a rule can use.

    jsonpath-python rejects almost nothing itself, so this also refuses paths that
    would silently never match: not starting at the root `$`, unbalanced brackets,
    parentheses or quotes, a trailing dot, `[]`, `["double quoted"]` and `[-1]`.
    """
    text = path.strip()
    if not text.startswith("$") or text.endswith("."):
        return False
    if len(text) > 1 and text[1] not in ".[":
        return False
    bare = _QUOTED.sub("_", text)
    if "'" in bare or _DEAD_BRACKET.search(bare) or not _balanced(bare):
        return False
    try:
        search(text, {})
    except _PATH_ERRORS:
        return False
    return True


def _balanced(text: str) -> bool:
    stack: list[str] = []
    for char in text:
        if char in "([":
            stack.append(char)
        elif char in _PAIRS and (not stack or stack.pop() != _PAIRS[char]):
            return False
    return not stack


class InvalidPathError(Exception):
    """A path the rule cannot use."""


def matches(path: str, data: object) -> list[object]:
    """Every match of `path` in `data`.

    Raises InvalidPathError for a path jsonpath-python cannot evaluate.
    """
    text = path.strip()
    if not validate_path(text):
        raise InvalidPathError
    if not isinstance(data, dict | list):
        # jsonpath-python only walks containers: a bare scalar is reachable as `$`.
        return [data] if text == "$" else []
    try:
        matches: object = search(text, data)
    except _PATH_ERRORS as err:
        raise InvalidPathError(str(err) or type(err).__name__) from err
    return matches if isinstance(matches, list) else []


def select(path: str, data: object) -> tuple[bool, object]:
    """The first match of `path` in `data`, as (found, value).

    Raises InvalidPathError for a path jsonpath-python cannot evaluate.
    """
    found = matches(path, data)
    return (True, found[0]) if found else (False, None)
