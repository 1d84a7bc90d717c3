"""Example addresses the forms show, given to the frontend as description placeholders.

hassfest refuses URLs in translation strings (and the frontend's Markdown would turn
them into links), so en.json says `{http_example}` and every form of every flow passes
these values: a text of any step, field or error can use any of them, in any language.
"""

from types import MappingProxyType
from typing import Final

EXAMPLES: Final = MappingProxyType(
    {
        "http": "http://",
        "https": "https://",
        "http_example": "http://192.0.2.10/status",
        "status_page_example": "https://status.example.com",
        "support_url_example": "https://example.com/support",
        "healthchecks_example": "https://hc-ping.com/your-uuid",
        "login_url_example": "https://api.example.com/v1/login",
    }
)


def form_placeholders(**more: str) -> dict[str, str]:
    """The example addresses, and a form's own placeholders."""
    return {**EXAMPLES, **more}
