"""Scope tags (issue 15): the tags on each search document and the filter of each reader select
exactly the documents the scoping gate lets that reader see, for every persona: brands shared
with some countries or agencies, an owner suspended, guides published or not, narrowed to
countries or agencies, translated. (One guide per translation group in the officer's language is
the database's page check, not a tag: compared here without it.)"""

from __future__ import annotations

import pytest
from django.db.models import Q

from accounts.models import Status
from authentication_guides import services as guides
from authentication_guides.models import Guide
from brands import services
from brands.models import Brand
from core.scope import scope_of
from search.models import ResultType, SearchDocument
from search.scope_tags import matches, scope_filter, system_document_tags
from tests.test_guides_web_support import add_indicator, make_guide

pytest_plugins = ["tests.network_fixtures", "tests.brand_fixtures"]
pytestmark = pytest.mark.django_db

PERSONAS = [
    "platform_admin",
    "acme_admin",
    "acme_viewer",
    "other_rightholder",
    "officer_fr",
    "coordinator_fr",
    "officer_de",
    "police_officer_fr",
    "market_officer_de",
    "international_officer",
    "international_officer_it",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def brand(editor, name, *, agencies=("customs",), countries=None):
    visibility = {"all": countries is None, "countries": list(countries or []), "agencies": list(agencies)}
    return services.brand_create(actor=editor, data={"name": name, "visibility": visibility})


def guide(editor, brand, title, *, publish=True, **data):
    made = make_guide(editor, brand, title, **data)
    add_indicator(editor, made, "Engraved serial", importance="decisive")
    return guides.guide_publish(actor=editor, guide=made) if publish else made


@pytest.fixture
def catalogue(acme_editor, other_rightholder, globex):
    everywhere = brand(acme_editor, "Everywhere", agencies=["customs", "police", "international"])
    french = brand(acme_editor, "Frenchonly", countries=["FR"])
    police = brand(acme_editor, "Policeonly", agencies=["police"], countries=["FR", "DE"])
    market = brand(acme_editor, "Marketde", agencies=["market_surveillance"], countries=["DE"])
    services.product_create(actor=acme_editor, brand=everywhere, data={"name": "Everywhere Watch", "sku": "EW-1"})
    services.product_create(actor=acme_editor, brand=french, data={"name": "French Bag", "sku": "FB-1"})
    services.product_create(actor=acme_editor, brand=police, data={"name": "Police Cap", "sku": "PC-1"})
    guide(acme_editor, everywhere, "Everywhere guide")
    guide(acme_editor, everywhere, "Everywhere guide FR only", visibility={"all": False, "countries": ["FR"]})
    guide(acme_editor, everywhere, "Everywhere guide police only", visibility={"all": True, "agencies": ["police"]})
    guide(acme_editor, everywhere, "Everywhere draft", publish=False)
    guide(acme_editor, french, "French guide", language="fr")
    guide(acme_editor, market, "Market guide", language="de")
    suspended_owner = brand(other_rightholder, "Globex Suspended")
    services.product_create(actor=other_rightholder, brand=suspended_owner, data={"name": "Globex Thing"})
    globex.status = Status.SUSPENDED
    globex.save()
    return everywhere


def expected(user) -> set[int]:
    """The documents the gate lets `user` see, as services.visible_documents decides them, without
    the one-guide-per-translation-group narrowing."""
    scope = scope_of(user)
    documents = SearchDocument.objects.filter(brand__in=Brand.objects.restrict(user, "view"))
    documents = documents.filter(public=True) if scope.is_enforcement else documents.filter(latest=True)
    visible_guides = Guide.objects.restrict(user, "view").values("pk")
    documents = documents.filter(~Q(type=ResultType.GUIDE) | Q(object_id__in=visible_guides))
    return set(documents.values_list("pk", flat=True))


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_tags_select_what_the_gate_lets_each_reader_see(request, catalogue, persona):
    user = request.getfixturevalue(persona)
    documents = list(SearchDocument.objects.all())
    tags = system_document_tags(documents)
    needed = scope_filter(scope_of(user))
    by_tags = {d.pk for d in documents if matches(tags[d.pk], needed)}
    assert by_tags == expected(user), persona
    # The fixture is rich enough for the comparison to mean something.
    assert 0 < len(expected(user)) < len(documents) or persona == "platform_admin"


def test_nobody_gets_nothing(catalogue):
    from django.contrib.auth.models import AnonymousUser

    assert scope_filter(scope_of(AnonymousUser())) is None
    assert not matches(["latest", "public"], None)


def test_the_tags_are_read_in_a_bounded_number_of_queries(catalogue, django_assert_max_num_queries):
    documents = list(SearchDocument.objects.all())
    with django_assert_max_num_queries(6):
        system_document_tags(documents)
