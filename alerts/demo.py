"""Demo alerts and cases for `manage.py seed_demo`: a published alert from Lumina Watches to the
French customs and police (Lumina is shared with every kind of agency; the French market
surveillance authority is not told), an open case raised by the French demo officer, and a joint
operation (issue 14): led by the French customs with the Spanish customs and the French police,
started six weeks ago, with a dozen cases of the three tagged with it over those weeks (several
brands, verdicts on some), two of which (French customs and French police) name the same company,
written differently: the deconfliction hit shows on both case pages. Everything goes through the
services (audit, events, notifications). Idempotent: nothing is added once the operation exists."""

from __future__ import annotations

import datetime

from django.utils import timezone
from stdnum import iso6346

from accounts.models import Organization, Role, User
from brands.models import Brand, Product

from . import services, workdays
from .models import Alert, Case, CaseStatus, CaseVerdict, DeconflictionHit, Operation, Procedure

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
    created += seed_operation()
    if stdout is not None:
        stdout.write(f"Demo alerts and cases ready ({created} new).")
    return created


# --------------------------------------------------------------------------- the joint operation

OPERATION_NAME = "Operation Hourglass (demo)"
OPERATION_WEEKS = 6  # started this many weeks ago, ends three weeks from now
# Who takes part: the lead's coordinator first; then, per organization, its coordinator (who
# answers the invitation) and the officer who opens its cases.
LEAD = "coordinator.fr@demo.example"
PARTICIPANTS = {
    "customs_fr": ("coordinator.fr@demo.example", "officer.fr@demo.example"),
    "customs_es": ("coordinator.es@demo.example", "officer.es@demo.example"),
    "police_fr": ("police.coordinator.fr@demo.example", "police.fr@demo.example"),
}
SHARED_COMPANY = ("Shenzhen Huaxing Trading Co., Ltd.", "SHENZHEN HUAXING TRADING CO LTD")


def _container(owner: str, serial: str) -> str:
    """An ISO 6346 container number with its check digit."""
    return f"{owner} {serial}-{iso6346.calc_check_digit(owner + serial)}"


# organization, days ago, brand, product, quantity, location, origin, verdict (by the brand's
# owner), subjects. The customs detain; the police open verification requests.
OPERATION_CASES = [
    (
        "customs_fr",
        38,
        "Lumina",
        "Lumina Chrono 42",
        300,
        "Le Havre, container terminal",
        "CN",
        "counterfeit",
        [
            {"kind": "container", "value": _container("MSCU", "305438")},
            {"kind": "company", "value": "Ocean Link Freight"},
        ],
    ),
    (
        "customs_fr",
        30,
        "Lumina Atelier",
        "Atelier Tote Bag",
        40,
        "Roissy-Charles de Gaulle, express freight",
        "CN",
        "counterfeit",
        [
            {"kind": "company", "value": SHARED_COMPANY[0]},
            {"kind": "phone", "value": "+86 138 0013 8000"},
        ],
    ),
    ("customs_fr", 24, "Atlas", "Atlas Runner 2", 1200, "Marseille-Fos", "VN", "need_sample", []),
    ("customs_fr", 18, "Lumina", "Lumina Diver 300", 60, "Roissy-Charles de Gaulle, postal hub", "HK", "", []),
    ("customs_fr", 6, "Atlas Pro", "Atlas Pro Match Ball", 500, "Le Havre, container terminal", "CN", "", []),
    (
        "customs_es",
        35,
        "Atlas",
        "Atlas Trail GTX",
        800,
        "Valencia, terminal de contenedores",
        "CN",
        "counterfeit",
        [{"kind": "container", "value": _container("CMAU", "778120")}],
    ),
    ("customs_es", 27, "Lumina", "Lumina Classic Lady", 150, "Algeciras", "TR", "genuine", []),
    ("customs_es", 14, "Atlas", "Atlas Track Jacket", 2000, "Barcelona, puerto", "CN", "counterfeit", []),
    ("customs_es", 3, "Atlas Pro", "Atlas Pro Match Ball", 250, "Madrid-Barajas, carga aérea", "CN", "", []),
    (
        "police_fr",
        33,
        "Lumina",
        "Lumina Chrono 42",
        85,
        "Saint-Ouen flea market, stall search",
        "CN",
        "counterfeit",
        [
            {"kind": "company", "value": SHARED_COMPANY[1]},
            {"kind": "website", "value": "https://www.lumina-outlet.example/montres"},
        ],
    ),
    ("police_fr", 20, "Atlas", "Atlas Training Tee", 400, "Lyon, warehouse search", "TR", "counterfeit", []),
    ("police_fr", 9, "Lumina", "Lumina Strap Leather", 30, "Paris, online test purchase", "CN", "", []),
]


def _people(emails) -> dict[str, User]:
    return {user.email: user for user in User.objects.filter(email__in=list(emails))}


def _backdate(case: Case, opened: datetime.datetime) -> None:
    """Move a case opened today to `opened` (within the operation's dates), its deadline with it
    as the case's procedure sets it, and its verdict a few days after. Flags set as the beat
    tasks would have set them, so that they do not remind about the past."""
    country = case.country.code
    day = timezone.localdate(opened)
    if case.procedure == Procedure.DETENTION:
        deadline = workdays.answer_deadline(day, country, perishable=case.perishable)
    else:
        deadline = workdays.verification_deadline(day, country)
    answered = opened + datetime.timedelta(days=2, hours=3) if case.status != CaseStatus.OPEN else None
    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(
        created=opened,
        deadline=deadline,
        requested_deadline=deadline if case.procedure == Procedure.VERIFICATION else None,
        remind_on=workdays.reminder_day(deadline, country, opened=day),
        reminded=workdays.reminder_day(deadline, country, opened=day) <= today,
        overdue=answered is None and deadline < today,
        answered_at=answered,
    )
    if answered is not None:
        CaseVerdict.objects.filter(case=case).update(created=answered)


def seed_operation() -> int:
    """The operation, its three participants and its tagged cases; 0 if it exists already (or a
    demo persona or brand is missing)."""
    if Operation.objects.filter(name=OPERATION_NAME).exists():
        return 0
    people = _people(email for pair in PARTICIPANTS.values() for email in pair)
    brands = {
        brand.name: brand
        for brand in Brand.objects.filter(
            name__in={row[2] for row in OPERATION_CASES}, owner__name__in=("Lumina Watches", "Atlas Sportswear")
        )
    }
    if len(people) != 2 * len(PARTICIPANTS) or len(brands) != len({row[2] for row in OPERATION_CASES}):
        return 0
    organizations = {key: people[coordinator].organization for key, (coordinator, _) in PARTICIPANTS.items()}
    if any(not isinstance(org, Organization) for org in organizations.values()):
        return 0
    lead = people[LEAD]
    today = timezone.localdate()
    starts = today - datetime.timedelta(weeks=OPERATION_WEEKS)
    operation = services.operation_create(
        actor=lead,
        data={
            "name": OPERATION_NAME,
            "description": (
                "Six weeks of joint checks on counterfeit watches, leather goods and sportswear arriving "
                "by sea and air from East Asia, and on the markets and web shops that sell them in France "
                "and Spain. Tag your cases opened during the operation; the results are counted here."
            ),
            "starts": starts,
            "ends": today + datetime.timedelta(weeks=3),
            "categories": ["watches_jewellery", "leather_goods", "footwear", "apparel"],
            "brands": [brands["Lumina"].pk, brands["Atlas"].pk],
        },
    )
    for key, (coordinator, _officer) in PARTICIPANTS.items():
        if people[coordinator] == lead:
            continue
        services.operation_invite(actor=lead, operation=operation, organization=organizations[key])
        services.operation_answer(actor=people[coordinator], operation=operation, accept=True)
    now = timezone.now()
    for key, days_ago, brand_name, product_name, quantity, location, origin, verdict, subjects in OPERATION_CASES:
        brand = brands[brand_name]
        product = Product.objects.filter(brand=brand, name=product_name).first()
        case = services.case_open(
            actor=people[PARTICIPANTS[key][1]],
            data={
                "brand": brand,
                "product": product,
                "description": f"{quantity} × {product_name} found during {OPERATION_NAME}.",
                "quantity": quantity,
                "location": location,
                "declared_origin": origin,
                "perishable": False,
                "subjects": subjects,
                "operation": operation.pk,
            },
        )
        if verdict:
            writer = _writer(brand)
            if writer is not None:
                case = services.case_respond(
                    actor=writer, case=case, verdict=verdict, comment="Checked against the demo guide."
                )
        _backdate(case, now - datetime.timedelta(days=days_ago, hours=days_ago % 7))
    # A hit is found when the later of its two cases is saved.
    for hit in DeconflictionHit.objects.filter(first__operation=operation, second__operation=operation):
        opened = Case.objects.filter(pk__in=[hit.first_id, hit.second_id]).order_by("-created").first()
        if opened is not None:
            DeconflictionHit.objects.filter(pk=hit.pk).update(found=opened.created)
    return 1 + len(OPERATION_CASES)
