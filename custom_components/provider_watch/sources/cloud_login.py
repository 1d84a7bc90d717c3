"""A provider API's session login: log in once, reuse the session until refused.

Some providers have no API token: the owner logs in with user name and password,
the answer sets a session cookie (or carries a token in its JSON), and the status
endpoint is called with it until the session expires. Here:

- the login is sent only when there is no session: never once per check;
- a request refused (401/403) with a session from an earlier check logs in once
  more and is sent again;
- a login refused (401/403) is "credentials rejected" (the reauth flow asks for the
  password); a refusal right after a fresh login too.

The session (the cookies the login's own origin set, and the token header) is a
credential: it goes to the origin of the main URL only, and is never logged.
"""

from dataclasses import dataclass, replace
import json
from typing import Final
from urllib.parse import quote, quote_plus

import aiohttp

from . import ProbeResult
from .cloud import NOT_JSON, CloudAnswer, CloudRequest, Headers, fetch
from .cloud_rule import Comparison, SimpleRule, evaluate_rule

USERNAME_MARK: Final = "$username"
PASSWORD_MARK: Final = "$password"  # noqa: S105 - a placeholder
TOKEN_MARK: Final = "$token"  # noqa: S105 - a placeholder
DEFAULT_BODY: Final = '{"username": "$username", "password": "$password"}'
DEFAULT_TOKEN_HEADER: Final = "Authorization: Bearer $token"  # noqa: S105
MASK: Final = "••••"
FORM: Final = "application/x-www-form-urlencoded"


def _is_json_body(body: str) -> bool:
    """A body that is JSON once its marks are filled in."""
    try:
        json.loads(body.replace(USERNAME_MARK, "u").replace(PASSWORD_MARK, "p"))
    except ValueError, RecursionError:
        return False
    return True


def is_token_header(text: str) -> bool:
    """`Name: value` with $token in the value, e.g. Authorization: Bearer $token."""
    name, colon, value = text.partition(":")
    return bool(colon and name.strip() and TOKEN_MARK in value)


@dataclass(frozen=True, kw_only=True, slots=True)
class Login:
    """Where and how to log in, and where the session is in the answer."""

    url: str  # may hold $username and $password (a GET login)
    method: str = "POST"
    body: str = DEFAULT_BODY  # JSON or a form, with $username and $password
    token_path: str | None = None  # None: the cookies are the session
    token_header: str = DEFAULT_TOKEN_HEADER
    username: str
    password: str

    def request(self, base: CloudRequest, password: str | None = None) -> CloudRequest:
        """The login request, filled in (with `password` instead, to show it)."""
        secret = self.password if password is None else password
        url = self.url.replace(USERNAME_MARK, quote(self.username, safe=""))
        url = url.replace(PASSWORD_MARK, quote(secret, safe=""))
        body: str | None = None
        content_type = None
        if self.method != "GET":
            if _is_json_body(self.body):
                user, word = (
                    json.dumps(v, ensure_ascii=False)[1:-1]
                    for v in (self.username, secret)
                )
                content_type = "application/json"
            else:
                user, word = quote_plus(self.username), quote_plus(secret)
                content_type = FORM
            body = self.body.replace(USERNAME_MARK, user).replace(PASSWORD_MARK, word)
        login = base.another(url, self.method, body)
        return replace(login, session=(), content_type=content_type)

    def session(self, answer: CloudAnswer) -> Headers | str:
        """The session the login's answer gives, or why there is none."""
        headers: list[tuple[str, str]] = []
        if answer.cookies:
            cookie = "; ".join(f"{name}={value}" for name, value in answer.cookies)
            headers.append(("Cookie", cookie))
        if self.token_path:
            token = _token(answer.data, self.token_path)
            if token is None:
                return f"the login's answer has no token at {self.token_path}"
            name, _, value = self.token_header.partition(":")
            headers.append((name.strip(), value.strip().replace(TOKEN_MARK, token)))
        elif not headers:
            return "the login's answer set no cookie"
        return tuple(headers)


def _token(data: object, path: str) -> str | None:
    if data is NOT_JSON:
        return None
    found = evaluate_rule(data, SimpleRule(path=path, comparison=Comparison.TRUTHY))
    value = found.value
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def _refused(answer: CloudAnswer) -> bool:
    return answer.failure is not None and answer.failure.auth_failed


class LoginSession:
    """The session of one system: logged in when needed, reused until refused."""

    def __init__(self, login: Login) -> None:
        """No session yet."""
        self.login = login
        self.headers: Headers | None = None
        self.logins = 0  # logins sent
        self.last_login: CloudAnswer | None = None

    async def async_fetch(
        self, http: aiohttp.ClientSession, request: CloudRequest, timeout: float
    ) -> CloudAnswer:
        """The request with the session; a login first when there is none."""
        fresh = self.headers is None
        session = self.headers or await self._async_login(http, request, timeout)
        if isinstance(session, CloudAnswer):
            return session  # the login failed
        answer = await fetch(http, replace(request, session=session), timeout)
        if _refused(answer) and not fresh:  # the session expired: once more
            session = await self._async_login(http, request, timeout)
            if isinstance(session, CloudAnswer):
                return session
            answer = await fetch(http, replace(request, session=session), timeout)
        if _refused(answer):
            self.headers = None  # refused with a fresh session: log in next time
        return answer

    async def _async_login(
        self, http: aiohttp.ClientSession, base: CloudRequest, timeout: float
    ) -> Headers | CloudAnswer:
        """Log in: the session, or the failed answer."""
        self.headers = None
        self.logins += 1
        answer = await fetch(http, self.login.request(base), timeout)
        self.last_login = answer
        if (failure := answer.failure) is not None:
            if failure.auth_failed:
                status = answer.status
                failure = replace(failure, reason=f"login refused (HTTP {status})")
            return replace(answer, failure=failure)
        session = self.login.session(answer)
        if isinstance(session, str):
            return replace(answer, failure=ProbeResult.unknown(session))
        self.headers = session
        return session
