"""The heartbeat's failure signal, without Home Assistant (sources/heartbeat.py).

The same rules through real requests are in test_heartbeat.py; here the corners.
"""

from typing import Any

import pytest

from custom_components.provider_watch.sources.heartbeat import failure_reported

FORM = "application/x-www-form-urlencoded"


def reported(
    *,
    method: str = "POST",
    query: tuple[tuple[str, str], ...] = (),
    content_type: str = "",
    body: bytes | None = None,
    keyword: str = "fail",
) -> bool:
    return failure_reported(
        method=method,
        query=query,
        content_type=content_type,
        body=body,
        keyword=keyword,
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"query": (("status", "fail"),)},
        {"query": (("STATUS", "Fail"),)},  # the field's name in any case too
        {"query": (("fail", ""),)},
        {"body": b"fail"},
        {"body": b"\tFAIL\r\n"},
        {"body": b'{"status": "fail"}', "content_type": "text/plain"},
        {"body": b'  {"Status": " fail "}', "content_type": FORM},
        {"body": b"status=fail", "content_type": f"{FORM}; charset=utf-8"},
        {"body": b"status=not+ok", "content_type": FORM, "keyword": "not ok"},
        {"body": b"NOT OK", "keyword": " not ok "},
    ],
)
def test_failure(kwargs: dict[str, Any]) -> None:
    assert reported(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "HEAD", "query": (("status", "fail"),)},
        {"method": "HEAD", "body": b"fail"},
        {"query": (("status", "fail"),), "keyword": "   "},  # no keyword at all
        {"body": None, "content_type": FORM},
        {"query": (("fail", "1"),)},
        {"query": (("fail", ""), ("zone", "3"))},
        {"body": b'{"status": "fail"', "content_type": "application/json"},
        {"body": b'["fail"]', "content_type": "application/json"},
        {"body": b'{"status": false}'},
        {"body": b'{"a":' + b"[" * 100_000},  # nested too deep: not read
        {"body": b"{" + b'"a":{' * 100_000},
        {"body": b"status=fail"},  # not sent as a form
        {"body": b"status=failed", "content_type": FORM},
    ],
)
def test_no_failure(kwargs: dict[str, Any]) -> None:
    assert not reported(**kwargs)
