"""Why a system is offline: the home's internet, the provider's cloud, or the system.

Later alerting sends one alert per root cause, so this is decided in one place.
"""

from dataclasses import dataclass
from enum import StrEnum

from .integration import Trouble


class Cause(StrEnum):
    """The root cause of an outage."""

    INTERNET = "internet"  # the home's internet connection is down
    PROVIDER_CLOUD = "provider_cloud"  # the provider's cloud is down
    SYSTEM = "system"  # the internet and the provider's cloud are fine: the system
    AUTH = "auth"  # the provider rejected our credentials
    UNKNOWN = (
        "unknown"  # not enough evidence yet (e.g. the internet check has no answer)
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class CauseEvidence:
    """What is known when a system is offline (or its credentials fail)."""

    auth_failed: bool = False
    internet_up: bool | None = None  # None: the internet check has not answered yet
    status_page_problem: bool = False  # a component the user cares about is down
    cloud_unreachable: bool = False  # the provider's API itself failed (network / 5xx)
    # every cloud-kind system of the provider is failing the same way
    all_cloud_systems_failing: bool = False
    # the provider's own integration (its config entry) is in trouble
    integration: Trouble | None = None


def classify(evidence: CauseEvidence) -> Cause:
    """Decide the root cause; the most specific evidence wins."""
    if evidence.auth_failed or evidence.integration is Trouble.AUTH:
        return Cause.AUTH
    if evidence.internet_up is False:
        return Cause.INTERNET
    if evidence.status_page_problem:  # the provider says so itself
        return Cause.PROVIDER_CLOUD
    if evidence.integration is not None:  # its own integration cannot reach it
        return Cause.PROVIDER_CLOUD
    if evidence.internet_up is None:
        # an unreachable cloud looks exactly like a dead home connection
        return Cause.UNKNOWN
    if evidence.all_cloud_systems_failing or evidence.cloud_unreachable:
        return Cause.PROVIDER_CLOUD
    return Cause.SYSTEM
