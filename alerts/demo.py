"""Demo alerts and cases for `manage.py seed_demo`: a published alert from Lumina Watches to the
French customs and police (Lumina is shared with every kind of agency; the French market
surveillance authority is not told), and an open case raised by the French demo officer.
Idempotent."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import Role, User
from brands.models import Brand

from . import services
from .models import Alert, Case

ALERT_TITLE = "Fake Lumina Chrono watches via Le Havre"
# Whom the demo alert is for, among the kinds the brand is shared with.
DEMO_AGENCIES = ("customs", "police")


def _writer(brand: Brand) -> User | None:
    return (
        User.objects.filter(membership__organization=brand.owner, membership__role__in=(Role.ADMIN, Role.EDITOR))
        .order_by("pk")
        .first()
    )


def seed(stdout=None) -> int:
    created = 0
    brand = Brand.objects.filter(name="Lumina", owner__name="Lumina Watches").first()
    officer = User.objects.filter(email="officer.fr@demo.example").first()
    if brand is None or officer is None:
        return 0
    writer = _writer(brand)
    product = brand.products.order_by("pk").first()
    if writer is not None and not Alert.objects.filter(brand=brand, title=ALERT_TITLE).exists():
        alert = services.alert_create(
            actor=writer,
            data={
                "brand": brand,
                "products": [product.pk] if product else [],
                "title": ALERT_TITLE,
                "description": (
                    "Containers from Ningbo declared as wall clocks carry fake Lumina Chrono 42 watches: "
                    "printed serial numbers, a hologram that does not turn green, loose stitching."
                ),
                "severity": "high",
                "target_countries": ["FR"],
                "target_agencies": [kind for kind in DEMO_AGENCIES if kind in brand.agencies],
                "origin_countries": ["CN"],
                "route": "Ningbo → Port Said → Le Havre",
                "ports": ["Le Havre"],
                "transport_modes": ["sea"],
                "hs_codes": ["9102.11"],
                "valid_until": timezone.localdate() + datetime.timedelta(days=60),
            },
        )
        services.alert_publish(actor=writer, alert=alert)
        created += 1
    if not Case.objects.filter(brand=brand, opened_by=officer).exists():
        services.case_open(
            actor=officer,
            data={
                "brand": brand,
                "product": product,
                "description": "A parcel of 24 watches declared as toys, invoice at 3 EUR each.",
                "quantity": 24,
                "location": "Roissy-Charles de Gaulle, postal hub",
                "declared_origin": "CN",
                "perishable": False,
            },
        )
        created += 1
    if stdout is not None:
        stdout.write(f"Demo alerts and cases ready ({created} new).")
    return created
