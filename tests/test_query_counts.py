"""List endpoints issue a bounded number of queries, whatever the number of rows."""

import pytest

from accounts import services
from accounts.models import ApiToken, Role, Status
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

# Authentication (token + user + membership/organization), throttling, the count and the page.
MAX_QUERIES = 8


def make_rows(acme, platform_admin, n):
    for i in range(n):
        org = OrganizationFactory(status=Status.PENDING)
        member(org, Role.ADMIN, status=Status.PENDING, is_founder=True)
        person = member(acme, Role.VIEWER, status=Status.PENDING)
        services.user_approve(actor=platform_admin, user=person)
        ApiToken.objects.create(user=platform_admin, name=f"t{i}")


@pytest.mark.parametrize(
    "path", ["/api/v1/admin/organizations/", "/api/v1/admin/users/", "/api/v1/admin/audit/", "/api/v1/me/tokens/"]
)
@pytest.mark.parametrize("rows", [1, 20])
def test_list_queries_do_not_grow_with_rows(api, platform_admin, acme, path, rows, django_assert_max_num_queries):
    make_rows(acme, platform_admin, rows)
    client = api(platform_admin)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(path)
    assert response.status_code == 200
    assert response.json()["count"] >= rows


def test_org_admin_member_list_is_bounded(api, acme_admin, acme, django_assert_max_num_queries):
    for _ in range(15):
        member(acme, Role.VIEWER)
    client = api(acme_admin)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get("/api/v1/admin/users/").json()["count"] == 16
