"""Demo catalogue for `manage.py seed_demo`: fictional brands with products, valid GTINs,
trade marks, supply chain, contacts and pictures drawn with Pillow. Idempotent."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum import ean

from accounts.models import Organization, OrganizationKind, Role, User

from . import services
from .models import Brand

# owner, brand, aliases, categories, visibility, colour, products. Lumina is shared with every
# kind of agency everywhere; Lumina Atelier with French customs only.
CATALOGUE = [
    (
        "Lumina Watches",
        "Lumina",
        ["LMN", "ルミナ"],
        ["watches_jewellery"],
        {"all": True},
        (24, 48, 96),
        [
            ("Lumina Chrono 42", "LC-42", "910211", "watches_jewellery", "Steel chronograph, sapphire glass.", 890),
            ("Lumina Diver 300", "LD-300", "910211", "watches_jewellery", "Diving watch, 300 m, ceramic bezel.", 1250),
            ("Lumina Classic Lady", "LCL-28", "910211", "watches_jewellery", "28 mm, mother-of-pearl dial.", 640),
            ("Lumina Strap Leather", "LS-20", "911390", "watches_jewellery", "20 mm calfskin strap.", 120),
        ],
    ),
    (
        "Lumina Watches",
        "Lumina Atelier",
        ["Atelier Lumina"],
        ["leather_goods"],
        {"all": False, "countries": ["FR"], "agencies": ["customs"]},
        (120, 60, 30),
        [
            (
                "Atelier Tote Bag",
                "AT-TOTE",
                "420221",
                "leather_goods",
                "Full-grain leather tote, gold hardware.",
                1450,
            ),
            ("Atelier Card Holder", "AT-CARD", "420231", "leather_goods", "Six-card holder, embossed monogram.", 210),
        ],
    ),
    (
        "Atlas Sportswear",
        "Atlas",
        ["ATLS", "Атлас"],
        ["footwear", "apparel"],
        {"all": True},
        (200, 40, 40),
        [
            ("Atlas Runner 2", "AR2-BLK", "640411", "footwear", "Running shoe, knitted upper, foam sole.", 140),
            ("Atlas Trail GTX", "ATG-GRN", "640299", "footwear", "Waterproof trail shoe.", 165),
            ("Atlas Training Tee", "ATT-WHT", "610910", "apparel", "Cotton training T-shirt.", 35),
            ("Atlas Track Jacket", "ATJ-NVY", "610120", "apparel", "Polyester track jacket, reflective logo.", 90),
        ],
    ),
    (
        "Atlas Sportswear",
        "Atlas Pro",
        [],
        ["sporting_goods"],
        {"all": False, "countries": ["ES", "FR"]},
        (30, 120, 60),
        [
            ("Atlas Pro Match Ball", "APB-5", "950662", "sporting_goods", "Size 5 match football, FIFA Quality.", 150),
        ],
    ),
]

COMPANY_PREFIX = {"Lumina": "7612345", "Lumina Atelier": "7612346", "Atlas": "4061234", "Atlas Pro": "4061235"}


def gtin13(prefix: str, item: int) -> str:
    body = f"{prefix}{item:05d}"[:12]
    return body + ean.calc_check_digit(body)


def picture(name: str, colour: tuple[int, int, int], view: str) -> SimpleUploadedFile:
    """A clean product shot: a coloured card with the product's name and a shape per view."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (960, 720), (245, 245, 242))
    draw = ImageDraw.Draw(image)
    if view == "front":
        draw.rounded_rectangle((240, 120, 720, 600), radius=60, fill=colour)
        draw.ellipse((360, 240, 600, 480), fill=(250, 250, 250))
    elif view == "back":
        draw.rounded_rectangle((240, 120, 720, 600), radius=60, outline=colour, width=24)
        draw.text((300, 340), "SN 0000000 - MADE IN CH", fill=colour)
    else:
        draw.rectangle((180, 200, 780, 520), fill=colour)
        draw.text((220, 240), name.upper(), fill=(255, 255, 255))
    draw.text((24, 680), f"{name} — {view} (demo picture)", fill=(60, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(f"{view}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _editor_of(organization: Organization) -> User | None:
    return (
        User.objects.filter(membership__organization=organization, membership__role__in=(Role.ADMIN, Role.EDITOR))
        .order_by("pk")
        .first()
    )


def seed(stdout=None) -> int:
    from uploads.images import clean_image

    created = 0
    for owner_name, name, aliases, categories, visibility, colour, products in CATALOGUE:
        owner = Organization.objects.filter(kind=OrganizationKind.RIGHT_HOLDER, name=owner_name).first()
        editor = _editor_of(owner) if owner else None
        if editor is None or Brand.objects.filter(owner=owner, name=name).exists():
            continue
        brand = services.brand_create(
            actor=editor,
            data={
                "name": name,
                "aliases": aliases,
                "categories": categories,
                "visibility": visibility,
                "description": f"{name} is a fictional brand of the IPM Portal demo.",
            },
        )
        created += 1
        services.brand_item_create(
            actor=editor,
            brand=brand,
            kind="trademarks",
            data={"office": "EUIPO", "number": f"0180{brand.pk:05d}", "nice_classes": [14, 18, 25]},
        )
        services.brand_item_create(
            actor=editor,
            brand=brand,
            kind="contacts",
            data={
                "name": f"{name} brand protection desk",
                "phone": "+41 22 555 01 00",
                "email": "protection@demo.example",
                "languages": ["en", "fr", "es"],
                "hours": "Mon–Fri 08:00–18:00 CET; 24/7 for perishable goods",
            },
        )
        services.brand_item_create(
            actor=editor,
            brand=brand,
            kind="supply-chain",
            data={"role": "manufacturer", "name": f"{name} Manufacturing SA", "country": owner.country.code},
        )
        services.brand_item_create(
            actor=editor,
            brand=brand,
            kind="supply-chain",
            data={
                "role": "route",
                "origin_countries": [owner.country.code],
                "ports": ["Basel", "Le Havre", "Valencia"],
                "transport_modes": ["road", "air"],
                "notes": "Genuine goods never ship by post in quantities above 5.",
            },
        )
        for item, (product_name, sku, hs_code, category, description, price) in enumerate(products, start=1):
            product = services.product_create(
                actor=editor,
                brand=brand,
                data={
                    "name": product_name,
                    "sku": sku,
                    "gtins": [gtin13(COMPANY_PREFIX[name], item)],
                    "hs_code": hs_code,
                    "category": category,
                    "description": description,
                    "packaging_notes": "Sealed box with a holographic label on the left side.",
                    "price_min": price,
                    "price_max": round(price * 1.2),
                    "price_currency": "EUR",
                    "sold_in": ["CH", "DE", "ES", "FR", "IT"],
                },
            )
            for view in ("front", "back", "label"):
                services.product_image_add(
                    actor=editor,
                    product=product,
                    image=clean_image(picture(product_name, colour, view)),
                    caption=f"{product_name}, {view}",
                    kind=view,
                )
    if stdout is not None:
        stdout.write(f"Demo catalogue ready ({created} new brands).")
    return created
