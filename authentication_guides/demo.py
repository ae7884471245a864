"""Demo guides for `manage.py seed_demo`: one published guide per demo brand, with a genuine and
a counterfeit picture per indicator drawn with Pillow, and a French translation of the first.
Idempotent."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role, User
from brands.models import Brand

from . import services
from .models import Guide

INDICATORS = [
    (
        "Serial number engraving",
        "Laser-engraved, 8 digits, sharp edges; fakes are printed or shallow.",
        "Case back, at 6 o'clock",
        "decisive",
        "check",
    ),
    (
        "Hologram label",
        "The hologram shows the logo turning from gold to green when tilted.",
        "Box, left side",
        "strong",
        "security_feature",
    ),
    (
        "Stitching",
        "Genuine: 8 stitches per cm, even and waxed. Fakes: 5 to 6, uneven.",
        "Strap, left seam",
        "supporting",
        "check",
    ),
]

# The first indicator's texts in the French translation (title, description, location).
FRENCH_SERIAL = (
    "Gravure du numéro de série",
    "Gravée au laser, 8 chiffres, bords nets.",
    "Fond du boîtier, à 6 heures",
)


def _picture(text: str, genuine: bool) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (236, 248, 240) if genuine else (252, 236, 236))
    draw = ImageDraw.Draw(image)
    colour = (20, 120, 60) if genuine else (170, 30, 30)
    if genuine:
        for x in range(80, 560, 24):
            draw.line((x, 200, x + 12, 200), fill=colour, width=4)
    else:
        for x in range(80, 560, 40):
            draw.line((x, 196 + (x % 3) * 4, x + 20, 204), fill=colour, width=3)
    draw.rectangle((40, 40, 600, 440), outline=colour, width=6)
    draw.text((56, 56), ("GENUINE — " if genuine else "COUNTERFEIT — ") + text, fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile("demo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _add_indicator(editor: User, guide: Guide, indicator: tuple, *, texts: tuple | None = None) -> None:
    """One of INDICATORS on `guide`, with its two pictures; `texts` (title, description,
    location) replace its English ones in a translation."""
    from uploads.images import clean_image

    title, description, location, importance, kind = indicator
    shown = dict(zip(("title", "description", "location"), texts or (title, description, location), strict=True))
    services.indicator_add(
        actor=editor,
        guide=guide,
        data={**shown, "importance": importance, "kind": kind},
        genuine_image=clean_image(_picture(title, genuine=True)),
        counterfeit_image=clean_image(_picture(title, genuine=False)),
    )


def _published_guide(editor: User, brand: Brand, data: dict, indicators: list[tuple]) -> Guide:
    """A guide of `brand` with `indicators` ((one of INDICATORS, its texts or None) each), published."""
    guide = services.guide_create(actor=editor, brand=brand, data=data)
    for indicator, texts in indicators:
        _add_indicator(editor, guide, indicator, texts=texts)
    return services.guide_publish(actor=editor, guide=guide)


def seed(stdout=None) -> int:
    created = 0
    for brand in Brand.objects.select_related("owner").order_by("pk"):
        if Guide.objects.filter(brand=brand).exists():
            continue
        editor = (
            User.objects.filter(membership__organization=brand.owner, membership__role__in=(Role.ADMIN, Role.EDITOR))
            .order_by("pk")
            .first()
        )
        if editor is None:
            continue
        product = brand.products.order_by("pk").first()
        title = f"How to tell a genuine {brand.name} from a fake"
        summary = "Check the decisive indicator first: a fake fails it in seconds."
        english = {"title": title, "summary": summary, "language": "en", "product": product}
        guide = _published_guide(editor, brand, english, [(indicator, None) for indicator in INDICATORS])
        title = f"Reconnaître un vrai {brand.name} d'une contrefaçon"
        french = {"title": title, "language": "fr", "product": product, "translation_of": guide}
        _published_guide(editor, brand, french, [(INDICATORS[0], FRENCH_SERIAL)])
        created += 2
    if stdout is not None:
        stdout.write(f"Demo guides ready ({created} new guides).")
    return created
