"""The heartbeat's failure signal: what a beat must say to report a failure.

With a failure keyword set (e.g. "fail"), a beat reports a failure when the keyword,
in any case and with surrounding spaces ignored, is

- the value of a query parameter named `status` (`?status=fail`), or the whole
  query (`?fail`);
- for a POST, the value of the field `status` of a JSON object body
  (`{"status": "fail"}`) or of a form body (`status=fail`, sent as
  application/x-www-form-urlencoded), or the whole text body (`fail`).

Nothing else is: not the keyword inside a longer value or another field
(`{"status": "ok", "failures": 0}`, `?x=failover`), not a HEAD (always a plain beat),
not a GET's body, not a body over the size limit (only read that far). A body that
starts with `{` is read as JSON whatever its content type (`curl -d '{...}'` says
form). The field's name is matched in any case too.
"""

from collections.abc import Iterable
import json
from urllib.parse import parse_qsl

FAILURE_FIELD = "status"
FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


def failure_reported(
    *,
    method: str,
    query: Iterable[tuple[str, str]],
    content_type: str,
    body: bytes | None,
    keyword: str,
) -> bool:
    """Whether a beat reports a failure (see the module docstring).

    query: the decoded query parameters, in order; content_type: the header's media
    type (parameters such as charset are ignored); body: None when not read (a GET,
    or larger than the limit).
    """
    wanted = _folded(keyword)
    if method == "HEAD" or not wanted:
        return False
    pairs = list(query)
    if _field_is(pairs, wanted) or _whole_query_is(pairs, wanted):
        return True
    if body is None:
        return False
    text = body.decode("utf-8", errors="replace")
    if _folded(text) == wanted:
        return True
    media = content_type.partition(";")[0].strip().casefold()
    if media == JSON_TYPE or text.lstrip().startswith("{"):
        return _json_field_is(text, wanted)
    if media == FORM_TYPE:
        return _field_is(parse_qsl(text, keep_blank_values=True), wanted)
    return False


def _folded(text: str) -> str:
    return text.strip().casefold()


def _field_is(pairs: Iterable[tuple[str, str]], wanted: str) -> bool:
    return any(
        _folded(name) == FAILURE_FIELD and _folded(value) == wanted
        for name, value in pairs
    )


def _whole_query_is(pairs: list[tuple[str, str]], wanted: str) -> bool:
    """`?fail`: one parameter, the keyword itself, without a value."""
    if len(pairs) != 1:
        return False
    name, value = pairs[0]
    return value == "" and _folded(name) == wanted


def _json_field_is(text: str, wanted: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError, RecursionError:  # not JSON, or nested absurdly deep
        return False
    if not isinstance(data, dict):
        return False
    return any(
        isinstance(name, str)
        and _folded(name) == FAILURE_FIELD
        and isinstance(value, str)
        and _folded(value) == wanted
        for name, value in data.items()
    )
