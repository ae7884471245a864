"""The brand catalogue: what genuine goods look like, who makes and ships them, whom to call.

Confidential by construction: every query for a person goes through the scoping gate,
`restrict(user, "view" | "change")` on these querysets (core/scope.py). A right holder sees only
its own organization's brands; an enforcement organization sees the brands shared with its kind
and visible in its jurisdiction; platform admins see all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.models import Organization, Status
from core.roles import (
    AGENCY_CHOICES,
    WRITER_ROLES,  # noqa: F401  (read here by older callers)
    OrganizationKind,
    in_agency_order,
)
from core.scope import CHANGE, VIEW, Scope, ScopedQuerySet
from uploads.paths import private_upload_to


class Category(models.TextChoices):
    APPAREL = "apparel", _("Apparel")
    FOOTWEAR = "footwear", _("Footwear")
    LEATHER_GOODS = "leather_goods", _("Leather goods")
    WATCHES_JEWELLERY = "watches_jewellery", _("Watches and jewellery")
    COSMETICS_PERFUME = "cosmetics_perfume", _("Cosmetics and perfume")
    PHARMACEUTICALS = "pharmaceuticals", _("Pharmaceuticals")
    ELECTRONICS = "electronics", _("Electronics")
    AUTOMOTIVE_PARTS = "automotive_parts", _("Automotive parts")
    TOYS = "toys", _("Toys")
    TOBACCO = "tobacco", _("Tobacco")
    ALCOHOL_BEVERAGES = "alcohol_beverages", _("Alcohol and beverages")
    FOOD = "food", _("Food")
    HOUSEHOLD = "household", _("Household goods")
    MEDIA_SOFTWARE = "media_software", _("Media and software")
    SPORTING_GOODS = "sporting_goods", _("Sporting goods")
    OTHER = "other", _("Other")


class BrandQuerySet(ScopedQuerySet):
    """Who sees and changes brands (core.scope): the rule every catalogue object follows."""

    def scope_view(self, scope: Scope) -> BrandQuerySet:
        """Platform admins: every brand. A right holder's members: their own brands. An
        enforcement organization: the brands of approved owners shared with its kind (a
        BrandAgency row) and visible to every country or listed for one of its jurisdiction."""
        if scope.is_platform:
            return self.all()
        if scope.is_owner:
            return self.filter(owner_id=scope.organization_id)
        if scope.is_enforcement:
            shared = BrandAgency.objects.filter(brand=OuterRef("pk"), kind=scope.kind)
            listed = BrandCountry.objects.filter(brand=OuterRef("pk"), country__in=scope.jurisdiction)
            return self.filter(Exists(shared), Q(visible_to_all=True) | Exists(listed), owner__status=Status.APPROVED)
        return self.none()

    def scope_change(self, scope: Scope) -> BrandQuerySet:
        """The owner organization's admins and editors."""
        if scope.writes:
            return self.filter(owner_id=scope.organization_id)
        return self.none()


class Brand(models.Model):
    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="brands")
    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    logo = models.FileField(_("logo"), upload_to=private_upload_to("brands/logos"), blank=True, max_length=255)
    # Shared along two axes (DESIGN.md, "Confidentiality rules"): countries, every one or only
    # those listed (BrandCountry rows, at least one); and enforcement kinds (BrandAgency rows, at
    # least one).
    visible_to_all = models.BooleanField(_("visible to all administrations"), default=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = BrandQuerySet.as_manager()

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["-created", "-id"]
        constraints = [models.UniqueConstraint("owner", Lower("name"), name="brand_unique_name_per_owner")]

    def __str__(self) -> str:
        return self.name

    @property
    def visibility(self) -> dict:
        """The API's visibility object: {"all", "countries", "agencies"}."""
        countries = sorted(c.country.code for c in self.visibility_countries.all())
        return {
            "all": self.visible_to_all,
            "countries": [] if self.visible_to_all else countries,
            "agencies": self.agencies,
        }

    @property
    def agencies(self) -> list[str]:
        """The enforcement kinds it is shared with, in the order of core.roles.AGENCY_KINDS (from
        the prefetched rows when there are some)."""
        return in_agency_order(row.kind for row in self.visibility_agencies.all())

    @property
    def agency_names(self) -> list[str]:
        return agency_names(self.agencies)


class BrandCountry(models.Model):
    """A country whose enforcement administrations may see a brand with limited visibility."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="visibility_countries")
    country = CountryField(_("country"))

    class Meta:
        verbose_name = _("brand visibility country")
        verbose_name_plural = _("brand visibility countries")
        constraints = [models.UniqueConstraint("brand", "country", name="brand_country_unique")]
        indexes = [models.Index(fields=["country", "brand"])]

    def __str__(self) -> str:
        return f"{self.brand} → {self.country.code}"


def agency_names(kinds) -> list[str]:
    """The localized names of these agency kinds."""
    return [str(OrganizationKind(kind).label) for kind in in_agency_order(kinds)]


class BrandAgency(models.Model):
    """An enforcement kind (customs, police, ...) whose organizations may see a brand, in the
    brand's countries. A brand has at least one."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="visibility_agencies")
    kind = models.CharField(_("agency"), max_length=32, choices=AGENCY_CHOICES)

    class Meta:
        verbose_name = _("brand visibility agency")
        verbose_name_plural = _("brand visibility agencies")
        constraints = [models.UniqueConstraint("brand", "kind", name="brand_agency_unique")]
        indexes = [models.Index(fields=["kind", "brand"])]

    def __str__(self) -> str:
        return f"{self.brand} → {self.kind}"


class SharingNotice(models.Model):
    """A right holder whose brands were kept customs-only when the other enforcement kinds
    joined (migration 0006): its admins are told once that they may widen the sharing
    (`sharing.widen_possible`, sent by brands.tasks.tell_widen_possible)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(_("created"), default=timezone.now)
    sent = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("sharing notice")
        verbose_name_plural = _("sharing notices")

    def __str__(self) -> str:
        return f"{self.organization_id}: {'sent' if self.sent else 'to send'}"


class BrandOwnedQuerySet(ScopedQuerySet):
    """Scoping of everything that hangs off a brand: exactly the brand's own rules."""

    brand_path = "brand"

    def scope_view(self, scope: Scope):
        return self.filter(**{f"{self.brand_path}__in": Brand.objects.restrict(scope, VIEW)})

    def scope_change(self, scope: Scope):
        return self.filter(**{f"{self.brand_path}__in": Brand.objects.restrict(scope, CHANGE)})


class TrademarkRegistration(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="trademarks")
    office = models.CharField(_("office"), max_length=100, help_text=_("e.g. EUIPO, WIPO, USPTO, INPI."))
    number = models.CharField(_("registration number"), max_length=50)
    nice_classes = models.JSONField(_("Nice classes"), default=list, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = BrandOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("trade mark registration")
        verbose_name_plural = _("trade mark registrations")
        ordering = ["-created", "-id"]
        constraints = [models.UniqueConstraint("brand", "office", "number", name="trademark_unique_per_brand")]

    def __str__(self) -> str:
        return f"{self.office} {self.number}"

    @property
    def is_expired(self) -> bool:
        return self.expiry_date is not None and self.expiry_date < timezone.localdate()


class ProductQuerySet(BrandOwnedQuerySet):
    def with_details(self) -> ProductQuerySet:
        return self.select_related("brand").prefetch_related("gtin_set", "images")


class Product(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("name"), max_length=200)
    sku = models.CharField(_("model or SKU"), max_length=100, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True, db_index=True)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices, default=Category.OTHER)
    description = models.TextField(_("description"), blank=True)
    packaging_notes = models.TextField(_("packaging notes"), blank=True)
    price_min = models.DecimalField(_("typical price from"), max_digits=12, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(_("typical price to"), max_digits=12, decimal_places=2, null=True, blank=True)
    price_currency = models.CharField(_("currency"), max_length=3, blank=True)
    # ISO 3166 codes of the countries where the product is legitimately sold.
    sold_in = models.JSONField(_("legitimately sold in"), default=list, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["brand", "-created"]), models.Index(fields=["category"])]
        constraints = [
            models.UniqueConstraint("brand", Lower("sku"), condition=~Q(sku=""), name="product_unique_sku_per_brand"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def gtins(self) -> list[str]:
        """The GTINs as their owner entered them."""
        return [g.entered for g in self.gtin_set.all()]


class ProductGTIN(models.Model):
    """One GTIN of one product. A GTIN identifies one trade item of one company: unique across
    the whole platform, stored as GTIN-14 (a second claim is refused and logged)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="gtin_set")
    gtin = models.CharField(_("GTIN-14"), max_length=14, unique=True)
    entered = models.CharField(_("GTIN as entered"), max_length=32)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("GTIN")
        verbose_name_plural = _("GTINs")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.entered


class ProductImageQuerySet(BrandOwnedQuerySet):
    brand_path = "product__brand"


class ImageCaption(models.TextChoices):
    FRONT = "front", _("Front")
    BACK = "back", _("Back")
    SIDE = "side", _("Side")
    LABEL = "label", _("Label")
    PACKAGING = "packaging", _("Packaging")
    DETAIL = "detail", _("Detail")
    SECURITY_FEATURE = "security_feature", _("Security feature")
    OTHER = "other", _("Other")


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(_("image"), upload_to=private_upload_to("products"), max_length=255)
    thumb_small = models.FileField(
        _("small thumbnail"), upload_to=private_upload_to("products/thumbs"), blank=True, max_length=255
    )
    thumb_large = models.FileField(
        _("large thumbnail"), upload_to=private_upload_to("products/thumbs"), blank=True, max_length=255
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    kind = models.CharField(_("view"), max_length=32, choices=ImageCaption.choices, default=ImageCaption.OTHER)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = ProductImageQuerySet.as_manager()

    class Meta:
        verbose_name = _("product picture")
        verbose_name_plural = _("product pictures")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.caption or self.get_kind_display()


class SupplyChainRole(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Authorized manufacturer")
    DISTRIBUTOR = "distributor", _("Authorized distributor")
    IMPORTER = "importer", _("Authorized importer")
    EXPORTER = "exporter", _("Authorized exporter")
    LOGISTICS = "logistics", _("Logistics provider")
    ROUTE = "route", _("Expected route")


class TransportMode(models.TextChoices):
    SEA = "sea", _("Sea")
    AIR = "air", _("Air")
    ROAD = "road", _("Road")
    RAIL = "rail", _("Rail")
    POST = "post", _("Postal")
    COURIER = "courier", _("Express courier")


class SupplyChainEntry(models.Model):
    """A legitimate party (manufacturer, distributor, importer, exporter) or an expected route:
    what an officer compares a shipment's documents against."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="supply_chain")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="supply_chain")
    role = models.CharField(_("role"), max_length=20, choices=SupplyChainRole.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    address = models.TextField(_("address"), blank=True)
    origin_countries = models.JSONField(_("expected origin countries"), default=list, blank=True)
    ports = models.JSONField(_("ports and airports"), default=list, blank=True)
    transport_modes = models.JSONField(_("transport modes"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = BrandOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("supply chain entry")
        verbose_name_plural = _("supply chain")
        ordering = ["role", "name", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name or ', '.join(self.origin_countries)}"


class Contact(models.Model):
    """Whom an officer calls to verify a shipment."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("function"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # Empty: every country.
    countries = models.JSONField(_("countries covered"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = BrandOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["order", "name", "id"]

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- people and products


class BrandFollow(models.Model):
    """An officer follows a brand: told when one of its guides is published."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_follows")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="follows")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "notifications_brandfollow"  # created by the notifications app
        constraints = [models.UniqueConstraint(fields=["user", "brand"], name="notif_follow_unique")]
        indexes = [models.Index(fields=["brand"], name="notif_follow_brand")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.brand_id}"


class RecentView(models.Model):
    """A product a person opened, for their home page."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    viewed = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "search_recentview"  # created by the search app
        constraints = [models.UniqueConstraint("user", "product", name="recent_view_unique")]
        indexes = [models.Index(fields=["user", "-viewed"])]

    def __str__(self):
        return f"{self.user_id} → {self.product_id}"
