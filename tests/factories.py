"""factory_boy factories for accounts."""

from __future__ import annotations

import factory

from accounts.models import FOUNDER_ROLE, Membership, Organization, OrganizationKind, Status, User

PASSWORD = "Correct-Horse-Battery-9"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.RIGHT_HOLDER
    name = factory.Sequence(lambda n: f"Organization {n}")
    country = "CH"
    status = Status.APPROVED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    status = Status.APPROVED
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def member(
    organization: Organization,
    role: str | None = None,
    *,
    status: str = Status.APPROVED,
    is_founder: bool = False,
    **fields,
) -> User:
    """A person in `organization` with `role` (the founder's role by default)."""
    user = UserFactory(status=status, **fields)
    Membership.objects.create(
        user=user, organization=organization, role=role or FOUNDER_ROLE[organization.kind], is_founder=is_founder
    )
    return user
