"""The scoping gate: the one way a person's request reads or changes confidential rows.

Every model a person may read through a page or the API has a ``ScopedQuerySet`` whose rules
are methods named ``scope_<action>(scope)``; a view takes its rows only through
``Model.objects.restrict(user, action)``, which

- turns the person into a ``Scope`` (``scope_of``: platform, owner, enforcement, representative
  or nobody, with their organization, its kind, its jurisdiction, their role and language),
  computed once per request and cached on the user object;
- gives nobody (anonymous, pending, suspended, a member of an organization not approved)
  nothing, whatever the rules say;
- refuses an action the model has no rule for (``ImproperlyConfigured``): fail closed.

The same rules serve the other direction: ``audience(obj, people, action)`` narrows a set of
people (notification recipients) to those whose scope lets them see the object, evaluated once
per organization and role among them, so recipients are exactly the people who can open what
they are told about.

Reads that cross scopes on purpose (recipient expansion, the search indexer, periodic sweeps)
are functions named ``system_*``, each listed in ``SYSTEM_SELECTORS`` with its reason; the
checks (``core/gate.py``, ``tests/test_scope_gate.py``) refuse views that do not declare their
scope, unscoped model queries in view, API, template-tag and notification code, and ``system_*``
functions missing from the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar, cast

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from .roles import APPROVER_ROLES, ENFORCEMENT_KINDS, INTERNATIONAL_KINDS, WRITER_ROLES, OrganizationKind, Role, Status

PLATFORM = "platform"
OWNER = "owner"
ENFORCEMENT = "enforcement"
# A representative's members (law firms, agents): their own organization's pages (members,
# appointments, account). No rule gives this reach any row of anyone's catalogue, cases or alerts
# yet: a rule returns none() for a reach it does not name (fail closed).
REPRESENTATIVE = "representative"
NOBODY = "none"

# The actions the rules are written for. A model declares the ones it needs.
VIEW = "view"
CHANGE = "change"


class OrganizationLike(Protocol):
    pk: Any
    kind: str
    country: Any
    status: str
    jurisdiction: Any


@dataclass(frozen=True)
class Scope:
    """What the rules may know about a person: nothing else decides what they see."""

    reach: str = NOBODY
    organization_id: int | None = None
    # The organization's kind (right_holder, customs, police, international, ...).
    kind: str = ""
    # Where an enforcement organization acts: its country today; several for international
    # bodies. Sorted, so that equal jurisdictions make equal cache keys.
    jurisdiction: tuple[str, ...] = ()
    role: str = ""
    language: str = ""
    # The person, for what is theirs alone (their inbox); None for an organization's scope.
    person_id: int | None = None

    @property
    def is_platform(self) -> bool:
        return self.reach == PLATFORM

    @property
    def is_owner(self) -> bool:
        return self.reach == OWNER

    @property
    def is_enforcement(self) -> bool:
        return self.reach == ENFORCEMENT

    @property
    def is_representative(self) -> bool:
        return self.reach == REPRESENTATIVE

    @property
    def is_nobody(self) -> bool:
        return self.reach == NOBODY

    @property
    def approves(self) -> bool:
        """An organization's admins and coordinators: they vet who joins it and manage its members
        (a representative's admins: the firm's own members only)."""
        return (self.is_owner or self.is_enforcement or self.is_representative) and self.role in APPROVER_ROLES

    @property
    def writes(self) -> bool:
        """A right holder's admins and editors: they change the organization's catalogue."""
        return self.is_owner and self.role in WRITER_ROLES

    @property
    def administers(self) -> bool:
        """A right holder's admins (its webhooks, its tokens)."""
        return self.is_owner and self.role == Role.ADMIN

    @property
    def cache_key(self) -> str:
        """The part of a cache key that fixes what this scope sees (kind, jurisdiction, language)."""
        return f"{self.reach}:{self.kind}:{','.join(self.jurisdiction)}:{self.language}"


NO_SCOPE = Scope()


def scope_of_organization(organization: OrganizationLike | None, *, role: str = "", language: str = "") -> Scope:
    """The scope of a member of `organization` with `role` (approved person assumed)."""
    if organization is None or organization.status != Status.APPROVED:
        return NO_SCOPE
    kind = str(organization.kind)
    if kind == OrganizationKind.PLATFORM:
        reach = PLATFORM
    elif kind == OrganizationKind.RIGHT_HOLDER:
        reach = OWNER
    elif kind == OrganizationKind.REPRESENTATIVE:
        reach = REPRESENTATIVE
    elif kind in ENFORCEMENT_KINDS:
        reach = ENFORCEMENT
    else:
        return NO_SCOPE
    if kind in INTERNATIONAL_KINDS:
        countries = tuple(sorted({str(code) for code in organization.jurisdiction or []}))
    else:
        code = getattr(organization.country, "code", organization.country) or ""
        countries = (str(code),) if code else ()
    return Scope(
        reach=reach,
        organization_id=organization.pk,
        kind=kind,
        jurisdiction=countries,
        role=str(role or ""),
        language=language,
    )


def scope_of(user: Any) -> Scope:
    """The person's scope; `NO_SCOPE` for anyone without access. Cached on the user object (a
    request's user, a token's user): a suspension or a role change shows on the next request."""
    if isinstance(user, Scope):
        return user
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    cached: Scope | None = getattr(user, "_scope", None)
    if cached is not None:
        return cached
    scope = _compute(user)
    user._scope = scope
    return scope


def _compute(user: Any) -> Scope:
    if not user.has_access:
        return NO_SCOPE
    language = getattr(user, "language", "") or ""
    if user.is_platform_admin:
        organization = user.organization
        return Scope(
            reach=PLATFORM, organization_id=getattr(organization, "pk", None), language=language, person_id=user.pk
        )
    scope = scope_of_organization(user.organization, role=user.role or "", language=language)
    return scope if scope.is_nobody else replace(scope, person_id=user.pk)


_Q = TypeVar("_Q", bound="ScopedQuerySet[Any]")
_M = TypeVar("_M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset whose rows a person reaches only through `restrict(user, action)`.

    Subclasses write one method per action, ``scope_<action>(self, scope) -> QuerySet``, for
    the platform, owner and enforcement scopes (nobody gets nothing before a rule is called).
    """

    def restrict(self: _Q, user: Any, action: str = VIEW) -> _Q:
        rule = getattr(self, f"scope_{action}", None)
        if rule is None:
            raise ImproperlyConfigured(f"{self.model.__name__} has no scoping rule for {action!r}.")
        scope = scope_of(user)
        if scope.is_nobody:
            return self.none()
        restricted: _Q = rule(scope)
        return restricted

    def allows(self, user: Any, action: str, obj: models.Model) -> bool:
        """Whether `user` may `action` this object (one query)."""
        return self.restrict(user, action).filter(pk=obj.pk).exists()


def audience(obj: models.Model, people: models.QuerySet[Any], action: str = VIEW) -> models.QuerySet[Any]:
    """The people among `people` whose scope lets them `action` `obj`: the object's own rule,
    asked once per organization and role found among them (a bounded number of queries however
    many people). Only approved, active members of approved organizations are kept."""
    Organization = apps.get_model("accounts", "Organization")
    people = with_access(people)
    pairs = set(people.order_by().values_list("membership__organization_id", "membership__role").distinct())
    organizations = Organization.objects.in_bulk({organization_id for organization_id, _role in pairs})
    rows = cast("ScopedQuerySet[Any]", type(obj)._default_manager.all())
    allowed = models.Q(pk__in=[])
    for organization_id, role in sorted(pairs, key=lambda pair: (pair[0] or 0, pair[1] or "")):
        scope = scope_of_organization(organizations.get(organization_id), role=role or "")
        if scope.is_nobody or not rows.allows(scope, action, obj):
            continue
        allowed |= models.Q(membership__organization_id=organization_id, membership__role=role)
    return people.filter(allowed)


def with_access(people: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """Active, approved people of an approved organization (or superusers without one): the
    same test as `User.has_access`, in SQL."""
    return people.filter(is_active=True, status=Status.APPROVED).filter(
        models.Q(membership__organization__status=Status.APPROVED)
        | models.Q(membership__isnull=True, is_superuser=True)
    )


# Reads that cross scopes on purpose: "module.function" -> why. The gate's test refuses a
# function named system_* that is not listed, and unscoped queries outside these functions in
# view, API, template-tag and notification modules.
SYSTEM_SELECTORS: dict[str, str] = {}

_F = TypeVar("_F", bound=Callable[..., Any])


def system_selector(reason: str) -> Callable[[_F], _F]:
    """Decorator: list a ``system_*`` function in SYSTEM_SELECTORS with its reason."""

    def register(function: _F) -> _F:
        if not function.__name__.startswith("system_"):
            raise ImproperlyConfigured(f"{function.__qualname__}: a cross-scope read is named system_*.")
        SYSTEM_SELECTORS[f"{function.__module__}.{function.__qualname__}"] = reason
        return function

    return register
