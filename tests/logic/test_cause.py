"""Who is to blame for an outage: classify(), table-driven, without Home Assistant."""

from itertools import product

import pytest

from custom_components.provider_watch.logic.cause import Cause, CauseEvidence, classify

AUTH = Cause.AUTH
INTERNET = Cause.INTERNET
CLOUD = Cause.PROVIDER_CLOUD
SYSTEM = Cause.SYSTEM
UNKNOWN = Cause.UNKNOWN
BOTH = (False, True)


def evidence(
    *,
    auth: bool = False,
    internet: bool | None = True,
    page: bool = False,
    unreachable: bool = False,
    all_clouds: bool = False,
) -> CauseEvidence:
    return CauseEvidence(
        auth_failed=auth,
        internet_up=internet,
        status_page_problem=page,
        cloud_unreachable=unreachable,
        all_cloud_systems_failing=all_clouds,
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # nothing points elsewhere: the system itself
        pytest.param(evidence(), SYSTEM, id="internet up, cloud fine: system"),
        # the internet check has no verdict (yet, or there is no check at all)
        pytest.param(evidence(internet=None), UNKNOWN, id="internet unknown: unknown"),
        # the home's internet is down: nothing else can be judged
        pytest.param(evidence(internet=False), INTERNET, id="internet down"),
        pytest.param(
            evidence(internet=False, page=True),
            INTERNET,
            id="internet down beats status page problem",
        ),
        pytest.param(
            evidence(internet=False, unreachable=True),
            INTERNET,
            id="internet down beats cloud unreachable",
        ),
        pytest.param(
            evidence(internet=False, all_clouds=True),
            INTERNET,
            id="internet down beats all clouds failing",
        ),
        pytest.param(
            evidence(internet=False, page=True, unreachable=True, all_clouds=True),
            INTERNET,
            id="internet down beats every provider signal",
        ),
        # the provider's cloud, each signal on its own
        pytest.param(evidence(page=True), CLOUD, id="status page problem"),
        pytest.param(evidence(unreachable=True), CLOUD, id="cloud unreachable"),
        pytest.param(evidence(all_clouds=True), CLOUD, id="all cloud systems failing"),
        pytest.param(
            evidence(page=True, unreachable=True, all_clouds=True),
            CLOUD,
            id="every provider signal",
        ),
        # the provider's own status page is positive evidence: it wins over an
        # unknown internet; an unreachable cloud is not (a dead home connection
        # looks exactly the same)
        pytest.param(
            evidence(internet=None, page=True),
            CLOUD,
            id="internet unknown, status page problem",
        ),
        pytest.param(
            evidence(internet=None, unreachable=True),
            UNKNOWN,
            id="internet unknown, cloud unreachable",
        ),
        pytest.param(
            evidence(internet=None, all_clouds=True),
            UNKNOWN,
            id="internet unknown, all clouds failing",
        ),
        # rejected credentials beat everything
        pytest.param(evidence(auth=True), AUTH, id="auth"),
        pytest.param(evidence(auth=True, internet=False), AUTH, id="auth beats down"),
        pytest.param(evidence(auth=True, internet=None), AUTH, id="auth beats unknown"),
        pytest.param(
            evidence(auth=True, page=True, unreachable=True, all_clouds=True),
            AUTH,
            id="auth beats provider signals",
        ),
        pytest.param(
            evidence(
                auth=True, internet=False, page=True, unreachable=True, all_clouds=True
            ),
            AUTH,
            id="auth beats everything at once",
        ),
    ],
)
def test_classify(given: CauseEvidence, expected: Cause) -> None:
    assert classify(given) is expected


def test_default_evidence_is_unknown() -> None:
    """Before anything is known (no internet verdict) nothing is blamed."""
    assert classify(CauseEvidence()) is UNKNOWN


def _rule(  # the precedence, written out independently of the implementation
    auth: bool, internet: bool | None, page: bool, unreachable: bool, all_clouds: bool
) -> Cause:
    if auth:
        return AUTH
    if internet is False:
        return INTERNET
    if page:
        return CLOUD
    if internet is None:
        return UNKNOWN
    if unreachable or all_clouds:
        return CLOUD
    return SYSTEM


@pytest.mark.parametrize(
    ("auth", "internet", "page", "unreachable", "all_clouds"),
    list(product(BOTH, (True, False, None), BOTH, BOTH, BOTH)),
)
def test_every_combination(
    auth: bool, internet: bool | None, page: bool, unreachable: bool, all_clouds: bool
) -> None:
    """All 48 combinations: auth > internet down > status page > unknown > cloud."""
    given = evidence(
        auth=auth,
        internet=internet,
        page=page,
        unreachable=unreachable,
        all_clouds=all_clouds,
    )
    assert classify(given) is _rule(auth, internet, page, unreachable, all_clouds)


def test_cause_values_are_stable() -> None:
    """The values are stored in events and sensor states: they must not change."""
    assert {cause.value for cause in Cause} == {
        "internet",
        "provider_cloud",
        "system",
        "auth",
        "unknown",
    }
