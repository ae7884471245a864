"""Idempotent demo data: a platform admin, two right holders, two customs administrations in
different countries, a French police force and market surveillance authority, an international
body covering France, Germany and Spain, people of every role, and a few pending requests for
the moderation queue.
Fictional names only. Run as often as you like: existing rows are left as they are."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from accounts.models import Appointment, Membership, Organization, OrganizationKind, Role, Status, User
from accounts.services.appointments import appointment_accept, appointment_create

DEMO_PASSWORD_DEFAULT = "demo-portal-2026"

# An international body's jurisdiction (the countries a platform admin sets).
JURISDICTIONS = {"international": ["DE", "ES", "FR"]}

ORGANIZATIONS = [
    # key, kind, name, country, status
    ("lumina", OrganizationKind.RIGHT_HOLDER, "Lumina Watches", "CH", Status.APPROVED),
    ("atlas", OrganizationKind.RIGHT_HOLDER, "Atlas Sportswear", "DE", Status.APPROVED),
    ("customs_fr", OrganizationKind.CUSTOMS, "Douane française (démo)", "FR", Status.APPROVED),
    ("customs_es", OrganizationKind.CUSTOMS, "Aduanas de España (demo)", "ES", Status.APPROVED),
    ("police_fr", OrganizationKind.POLICE, "Police nationale (démo)", "FR", Status.APPROVED),
    ("market_fr", OrganizationKind.MARKET_SURVEILLANCE, "DGCCRF (démo)", "FR", Status.APPROVED),
    ("international", OrganizationKind.INTERNATIONAL, "Europe Enforcement Office (demo)", "BE", Status.APPROVED),
    ("pending_rh", OrganizationKind.RIGHT_HOLDER, "Nimbus Cosmetics", "NL", Status.PENDING),
    ("firm", OrganizationKind.REPRESENTATIVE, "Cabinet Lexavo (démo)", "FR", Status.APPROVED),
]

PEOPLE = [
    # e-mail, full name, organization key, role, status, founder
    ("lumina.admin@demo.example", "Lea Lumina", "lumina", Role.ADMIN, Status.APPROVED, True),
    ("lumina.editor@demo.example", "Eric Editor", "lumina", Role.EDITOR, Status.APPROVED, False),
    ("lumina.viewer@demo.example", "Vivian Viewer", "lumina", Role.VIEWER, Status.APPROVED, False),
    ("atlas.admin@demo.example", "Anna Atlas", "atlas", Role.ADMIN, Status.APPROVED, True),
    ("coordinator.fr@demo.example", "Camille Coordinatrice", "customs_fr", Role.COORDINATOR, Status.APPROVED, True),
    ("officer.fr@demo.example", "Olivier Officier", "customs_fr", Role.OFFICER, Status.APPROVED, False),
    ("coordinator.es@demo.example", "Carmen Coordinadora", "customs_es", Role.COORDINATOR, Status.APPROVED, True),
    ("officer.es@demo.example", "Óscar Oficial", "customs_es", Role.OFFICER, Status.APPROVED, False),
    ("police.coordinator.fr@demo.example", "Paul Policier", "police_fr", Role.COORDINATOR, Status.APPROVED, True),
    ("police.fr@demo.example", "Pauline Patrouille", "police_fr", Role.OFFICER, Status.APPROVED, False),
    ("market.fr@demo.example", "Marc Marché", "market_fr", Role.COORDINATOR, Status.APPROVED, True),
    ("international@demo.example", "Ingrid International", "international", Role.COORDINATOR, Status.APPROVED, True),
    ("newcomer.fr@demo.example", "Nina Newcomer", "customs_fr", Role.OFFICER, Status.PENDING, False),
    ("nimbus.founder@demo.example", "Noah Nimbus", "pending_rh", Role.ADMIN, Status.PENDING, True),
    ("lexavo.admin@demo.example", "Louise Lexavo", "firm", Role.ADMIN, Status.APPROVED, True),
    ("lexavo.editor@demo.example", "Lucas Légiste", "firm", Role.EDITOR, Status.APPROVED, False),
]
# The law firm acts for both right holders in France and Spain: for Lumina as editor, for Atlas as
# viewer (right holder key, role).
APPOINTMENTS = [("lumina", Role.EDITOR), ("atlas", Role.VIEWER)]
LANGUAGE_BY_COUNTRY = {"FR": "fr", "ES": "es"}


class Command(BaseCommand):
    help = "Load idempotent demo data (fictional organizations and people of every role)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=None, help="Password for every demo account.")
        parser.add_argument(
            "--allow-production", action="store_true", help="Load demo accounts even with DEBUG off (never do this)."
        )

    @transaction.atomic
    def handle(self, *args, password=None, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Demo accounts have known passwords: seed_demo runs only with DEBUG=true.")
        password = password or DEMO_PASSWORD_DEFAULT
        created = 0

        admin = User.objects.filter(email__iexact="admin@demo.example").first()
        if admin is None:
            User.objects.create_superuser(email="admin@demo.example", password=password, full_name="Pat Platform")
            created += 1

        organizations = {}
        for key, kind, name, country, status in ORGANIZATIONS:
            organizations[key], was_created = Organization.objects.get_or_create(
                kind=kind, name=name, country=country, defaults={"status": status}
            )
            created += was_created
            if key in JURISDICTIONS and not organizations[key].jurisdiction:
                organizations[key].jurisdiction = JURISDICTIONS[key]
                organizations[key].save(update_fields=["jurisdiction"])

        for email, full_name, org_key, role, status, founder in PEOPLE:
            if User.objects.filter(email__iexact=email).exists():
                continue
            organization = organizations[org_key]
            user = User.objects.create_user(
                email=email,
                password=password,
                full_name=full_name,
                status=status,
                language=LANGUAGE_BY_COUNTRY.get(organization.country.code, "en"),
            )
            Membership.objects.create(user=user, organization=organization, role=role, is_founder=founder)
            created += 1

        created += self._appointments(organizations)

        # Each app may add its own demo data in `<app>/demo.py` (a `seed(stdout)` function), in
        # the order of INSTALLED_APPS: the catalogue after the accounts, and so on.
        for app_config in apps.get_app_configs():
            if module_has_submodule(app_config.module, "demo"):
                import_module(f"{app_config.name}.demo").seed(stdout=self.stdout)

        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new rows)."))
        if settings.DEBUG:
            self.stdout.write(f"Demo sign-ins (password for all: {password}):")
            self.stdout.write(f"  {'admin@demo.example':<36} platform admin (superuser)")
            for email, _name, org_key, role, status, _founder in PEOPLE:
                organization = organizations[org_key]
                note = "" if status == Status.APPROVED else f" [{status}: see the moderation queue]"
                self.stdout.write(f"  {email:<36} {role} of {organization.name}{note}")

    @staticmethod
    def _appointments(organizations) -> int:
        """The law firm appointed by the right holders and accepted, through the services."""
        firm = organizations["firm"]
        firm_admin = User.objects.filter(membership__organization=firm, membership__role=Role.ADMIN).first()
        made = 0
        for holder_key, role in APPOINTMENTS:
            holder = organizations[holder_key]
            if firm_admin is None or Appointment.objects.filter(right_holder=holder, representative=firm).exists():
                continue
            holder_admin = User.objects.filter(membership__organization=holder, membership__role=Role.ADMIN).first()
            if holder_admin is None:
                continue
            appointment = appointment_create(
                actor=holder_admin, representative=firm.pk, countries=["FR", "ES"], role=role
            )
            appointment_accept(actor=firm_admin, appointment=appointment)
            made += 1
        return made
