"""Every moderation endpoint against every role: who may, who gets 403, who gets 404.

Organization endpoints are the platform admins' alone (403 for everyone else). People
endpoints are open to platform admins and to an organization's admin or coordinator for their
own members; another organization's admin gets 404 (they cannot even tell the person exists);
editors, viewers and officers, whom the endpoint does not serve at all, get 403 whoever the
person is.
"""

import pytest
from django.urls import get_resolver

from accounts.models import Role, Status
from tests.factories import OrganizationFactory, member
from tests.matrix import UNAUTHENTICATED, Matrix

pytestmark = pytest.mark.django_db

PERSONAS = [
    "platform_admin",
    "acme_admin",
    "acme_editor",
    "acme_viewer",
    "other_rightholder",
    "coordinator_fr",
    "officer_fr",
    "coordinator_de",
    "officer_de",
]
PLATFORM = {"platform_admin"}
# Who moderates people at all: platform admins, an organization's admin or coordinator.
APPROVERS = PLATFORM | {"acme_admin", "other_rightholder", "coordinator_fr", "coordinator_de"}
ORGANIZATIONS = Matrix(readers=PLATFORM, writers=PLATFORM, anonymous=UNAUTHENTICATED, admitted=PLATFORM)
# Acme's members are moderated by a platform admin and by Acme's admin; another organization's
# approver does not see them.
ACME_MEMBER = Matrix(
    readers=PLATFORM | {"acme_admin"}, writers=PLATFORM | {"acme_admin"}, anonymous=UNAUTHENTICATED, admitted=APPROVERS
)


@pytest.fixture
def people(request):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.fixture
def target_org(db):
    return OrganizationFactory(name="Target Org", status=Status.PENDING)


@pytest.fixture
def acme_joiner(acme):
    return member(acme, Role.VIEWER, status=Status.PENDING, email="target@acme.example")


ORG_ACTIONS = [("post", "approve/"), ("post", "reject/"), ("post", "suspend/"), ("post", "reinstate/"), ("get", "")]


@pytest.mark.parametrize(("method", "suffix"), ORG_ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_organization_endpoints(api, people, target_org, persona, method, suffix):
    client = api(people[persona])
    response = getattr(client, method)(
        f"/api/v1/admin/organizations/{target_org.pk}/{suffix}", {"reason": "r"}, format="json"
    )
    listing = client.get("/api/v1/admin/organizations/")
    # A pending organization can be approved, rejected or read; not suspended or reinstated.
    ok = 400 if suffix in ("suspend/", "reinstate/") else 200
    assert response.status_code == ORGANIZATIONS.status(persona, write=method != "get", ok=ok)
    assert listing.status_code == ORGANIZATIONS.status(persona, write=False)
    if persona != "platform_admin":
        target_org.refresh_from_db()
        assert target_org.status == Status.PENDING


USER_ACTIONS = [
    ("post", "approve/", {}),
    ("post", "reject/", {"reason": "r"}),
    ("get", "", None),
    ("patch", "", {"role": "editor"}),
]


@pytest.mark.parametrize(("method", "suffix", "body"), USER_ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_people_endpoints(api, people, acme_joiner, persona, method, suffix, body):
    client = api(people[persona])
    response = getattr(client, method)(f"/api/v1/admin/users/{acme_joiner.pk}/{suffix}", body, format="json")
    status = ACME_MEMBER.status(persona, write=method != "get")
    assert response.status_code == status, response.content
    acme_joiner.refresh_from_db()
    if status != 200:
        assert acme_joiner.status == Status.PENDING
        assert acme_joiner.membership.role == Role.VIEWER


# Approvers of other organizations do not see Acme's members (404); Acme's editor and an officer
# moderate no one (403).
@pytest.mark.parametrize("verb", ["suspend", "reinstate", "remove"])
@pytest.mark.parametrize("persona", ["other_rightholder", "coordinator_fr", "acme_editor", "officer_de"])
def test_outsiders_cannot_suspend_reinstate_or_remove(api, people, acme_viewer, persona, verb):
    response = api(people[persona]).post(
        f"/api/v1/admin/users/{acme_viewer.pk}/{verb}/", {"reason": "r"}, format="json"
    )
    assert response.status_code == ACME_MEMBER.status(persona, write=True)
    acme_viewer.refresh_from_db()
    assert acme_viewer.status == Status.APPROVED and acme_viewer.organization is not None


PUBLIC = {"/api/v1/auth/register/", "/api/v1/auth/token/", "/api/v1/auth/email/resend/"}


def _api_paths():
    """Every route under /api/v1/, with sample ids in place of parameters."""
    paths = set()
    for pattern, _converters in _walk(get_resolver().url_patterns, ""):
        if pattern.startswith("api/v1/"):
            paths.add("/" + pattern)
    return sorted(paths)


def _walk(patterns, prefix):
    import re

    for p in patterns:
        if hasattr(p, "url_patterns"):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            route = prefix + str(p.pattern)
            route = route.replace("^", "").replace("$", "")
            route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
            route = re.sub(r"<uuid:[^>]+>", "00000000-0000-4000-8000-000000000001", route)
            route = re.sub(r"<[^>]+>", "1", route)
            route = route.replace("\\.", ".").replace("\\", "")
            if "(" in route or "[" in route:  # format-suffix variants
                continue
            yield route, None


@pytest.mark.parametrize("path", [p for p in _api_paths() if p not in PUBLIC])
def test_every_endpoint_answers_401_without_credentials(anonymous, path):
    for method in ("get", "post", "patch", "delete"):
        response = getattr(anonymous, method)(path, {}, format="json")
        assert response.status_code == 401, (method, path, response.status_code)


def test_the_route_walk_finds_the_api(db):
    assert {"/api/v1/me/", "/api/v1/admin/users/", "/api/v1/admin/organizations/1/approve/"} <= set(_api_paths())


def test_401_names_the_token_scheme(anonymous):
    response = anonymous.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
