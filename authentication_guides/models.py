"""Authentication guides: how to tell a genuine item from a fake, indicator by indicator.

A Guide has a stable id; its content lives in versions. Version 1 starts as a draft; publishing
freezes it and makes it what officers see. Editing a published guide opens the next version as
a draft (a copy), which the owner's members see while officers keep seeing the published one;
publishing it replaces what officers see in one transaction.

Indicators have a stable `key` across versions (the API's indicator id), so a version can be
compared with the next one (indicators added, removed, changed).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from brands.models import Brand, Category, Product, agency_names
from core.roles import AGENCY_CHOICES, in_agency_order
from core.scope import CHANGE, VIEW, Scope, ScopedQuerySet, scope_of
from uploads.paths import private_upload_to


class GuideStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Replaced by a later version")


class GuideQuerySet(ScopedQuerySet):
    def scope_view(self, scope: Scope) -> GuideQuerySet:
        """The owner's members: their organization's guides in any status. Platform admins: all.
        Enforcement organizations: published guides of brands visible to them, narrowed by the
        guide's own countries and agency kinds. Anyone else: nothing."""
        brands = Brand.objects.restrict(scope, VIEW)
        if scope.is_platform or scope.is_owner:
            return self.filter(brand__in=brands)
        if scope.is_enforcement:
            listed = GuideCountry.objects.filter(guide=OuterRef("pk"), country__in=scope.jurisdiction)
            shared = GuideAgency.objects.filter(guide=OuterRef("pk"), kind=scope.kind)
            return self.filter(
                Q(visible_to_all=True) | Exists(listed),
                Q(agencies_as_brand=True) | Exists(shared),
                brand__in=brands,
                status=GuideStatus.PUBLISHED,
                published_version__isnull=False,
            )
        return self.none()

    def scope_change(self, scope: Scope) -> GuideQuerySet:
        return self.filter(brand__in=Brand.objects.restrict(scope, CHANGE))

    def in_language_of(self, user) -> GuideQuerySet:
        """For an officer, one guide per set of translations: the one in their language when
        it exists (among those they may see), any other otherwise. Others see every guide."""
        scope = scope_of(user)
        if not scope.is_enforcement:
            return self
        language = user.language
        theirs = Guide.objects.restrict(scope, VIEW).filter(
            translation_group=OuterRef("translation_group"), language=language
        )
        return self.filter(Q(language=language) | ~Exists(theirs))


class Guide(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="guides")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="guides")
    category = models.CharField(_("product category"), max_length=32, choices=Category.choices, blank=True)
    language = models.CharField(_("language"), max_length=2)
    # Guides that are translations of one another share this group.
    translation_group = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    # True: as visible as the brand. False: only the listed countries (a subset of the brand's).
    visible_to_all = models.BooleanField(_("as visible as the brand"), default=True)
    # True: shared with the brand's agency kinds, following its changes. False: only the kinds
    # listed (GuideAgency rows, a subset of the brand's when written). Readers always get the
    # intersection with the brand's.
    agencies_as_brand = models.BooleanField(_("shared with the brand's agencies"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=GuideStatus.choices, default=GuideStatus.DRAFT)
    published_version = models.ForeignKey(
        "GuideVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderation_reason = models.TextField(_("moderation note"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = GuideQuerySet.as_manager()

    class Meta:
        verbose_name = _("authentication guide")
        verbose_name_plural = _("authentication guides")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["brand", "status"]), models.Index(fields=["status", "language"])]

    def __str__(self) -> str:
        version = self.published_version
        return version.title if version else f"{_('Guide')} {self.pk}"

    def latest_version(self) -> GuideVersion | None:
        return self.versions.order_by("-number").first()

    @property
    def agencies(self) -> list[str]:
        """The agency kinds that may read it: the brand's, narrowed by the guide's own list."""
        shared = self.brand.agencies
        if self.agencies_as_brand:
            return shared
        own = {row.kind for row in self.visibility_agencies.all()}
        return [kind for kind in shared if kind in own]

    @property
    def own_agencies(self) -> list[str] | None:
        """The guide's own list of agency kinds; None when it follows the brand's."""
        if self.agencies_as_brand:
            return None
        return in_agency_order(row.kind for row in self.visibility_agencies.all())

    @property
    def agency_names(self) -> list[str]:
        return agency_names(self.agencies)


class GuideCountry(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="visibility_countries")
    country = CountryField(_("country"))

    class Meta:
        constraints = [models.UniqueConstraint("guide", "country", name="guide_country_unique")]
        indexes = [models.Index(fields=["country", "guide"])]

    def __str__(self) -> str:
        return f"{self.guide_id} → {self.country.code}"


class GuideAgency(models.Model):
    """An agency kind a guide is narrowed to (Guide.agencies_as_brand false)."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="visibility_agencies")
    kind = models.CharField(_("agency"), max_length=32, choices=AGENCY_CHOICES)

    class Meta:
        constraints = [models.UniqueConstraint("guide", "kind", name="guide_agency_unique")]
        indexes = [models.Index(fields=["kind", "guide"])]

    def __str__(self) -> str:
        return f"{self.guide_id} → {self.kind}"


class GuideVersion(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("guide version")
        verbose_name_plural = _("guide versions")
        ordering = ["guide", "-number"]
        constraints = [
            models.UniqueConstraint("guide", "number", name="guide_version_number_unique"),
            # At most one version being written at a time.
            models.UniqueConstraint(
                "guide",
                condition=Q(status__in=["draft", "in_review"]),
                name="guide_one_open_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    @property
    def is_open(self) -> bool:
        return self.status in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)


class IndicatorKind(models.TextChoices):
    CHECK = "check", _("Check")
    SECURITY_FEATURE = "security_feature", _("Security feature")


class Importance(models.TextChoices):
    DECISIVE = "decisive", _("Decisive")
    STRONG = "strong", _("Strong")
    SUPPORTING = "supporting", _("Supporting")


IMPORTANCE_RANK = {Importance.DECISIVE: 0, Importance.STRONG: 1, Importance.SUPPORTING: 2}


class Indicator(models.Model):
    """One thing to check, with a picture of the genuine item and one of a fake."""

    version = models.ForeignKey(GuideVersion, on_delete=models.CASCADE, related_name="indicators")
    key = models.UUIDField(default=uuid.uuid4, editable=False)  # the same across versions
    kind = models.CharField(_("kind"), max_length=20, choices=IndicatorKind.choices, default=IndicatorKind.CHECK)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what to check"), blank=True)
    location = models.CharField(_("where on the item"), max_length=200, blank=True)
    importance = models.CharField(
        _("importance"), max_length=12, choices=Importance.choices, default=Importance.SUPPORTING
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # A translation starts with the original's texts: `translated` stays False, and the texts
    # are in `source_language`, until an editor changes them (or confirms them as they are).
    # `source_key`: the original indicator's key, in the guide of `source_language` of the same
    # translation group (what the translation form shows beside each field).
    translated = models.BooleanField(_("translated"), default=True)
    source_language = models.CharField(_("language of the original"), max_length=2, blank=True)
    source_key = models.UUIDField(null=True, blank=True, editable=False)
    # Files are shared between versions (a new draft copies the names): never deleted while
    # any version refers to them.
    genuine_image = models.FileField(_("genuine"), upload_to=private_upload_to("guides"), max_length=255)
    counterfeit_image = models.FileField(_("counterfeit"), upload_to=private_upload_to("guides"), max_length=255)
    # Made by a task after commit (1280 px): what a phone loads; the original until they exist.
    genuine_thumb = models.FileField(upload_to=private_upload_to("guides/thumbs"), blank=True, max_length=255)
    counterfeit_thumb = models.FileField(upload_to=private_upload_to("guides/thumbs"), blank=True, max_length=255)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint("version", "key", name="indicator_key_per_version")]

    def __str__(self) -> str:
        return self.title

    # Fields compared between versions (the pictures by their stored names).
    COMPARED = (
        "kind",
        "title",
        "description",
        "location",
        "importance",
        "order",
        "genuine_image",
        "counterfeit_image",
    )

    def snapshot(self) -> dict:
        return {field: str(getattr(self, field) or "") for field in self.COMPARED}


class IndicatorPicture(models.Model):
    """An extra picture of an indicator (another angle, a detail, a known fake variant). Like
    indicators, it has a stable `key` across versions and its file is shared between them."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="extra_pictures")
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    image = models.FileField(_("picture"), upload_to=private_upload_to("guides/extra"), max_length=255)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("extra picture")
        verbose_name_plural = _("extra pictures")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint("indicator", "key", name="indicator_picture_key_unique")]

    def __str__(self) -> str:
        return self.caption or str(self.key)


# --------------------------------------------------------------------------- inspection, feedback, usage


class Verdict(models.TextChoices):
    GENUINE = "genuine", _("Matches genuine")
    FAKE = "fake", _("Matches fake")
    UNSURE = "unsure", _("Can't tell")


class Conclusion(models.TextChoices):
    LIKELY_COUNTERFEIT = "likely_counterfeit", _("Likely counterfeit")
    LIKELY_GENUINE = "likely_genuine", _("Likely genuine")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class ChecklistQuerySet(ScopedQuerySet):
    def scope_view(self, scope: Scope) -> ChecklistQuerySet:
        """An inspection belongs to the administration that made it (and platform admins see
        all); the brand owner sees it once it is attached to a case (with the cases issue)."""
        if scope.is_platform:
            return self.all()
        if scope.is_enforcement:
            return self.filter(organization_id=scope.organization_id)
        return self.none()


class Checklist(models.Model):
    """An officer's inspection of an item against a published guide version: per indicator,
    matches genuine, matches fake or can't tell, and the summary."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="checklists")
    version = models.ForeignKey(GuideVersion, on_delete=models.PROTECT, related_name="checklists")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # [{"indicator": key, "title": ..., "importance": ..., "verdict": ..., "note": ...}] as inspected.
    results = models.JSONField(_("results"), default=list)
    conclusion = models.CharField(_("conclusion"), max_length=24, choices=Conclusion.choices)
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection checklist")
        verbose_name_plural = _("inspection checklists")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.guide_id} v{self.version.number}: {self.get_conclusion_display()}"

    @property
    def counts(self) -> dict:
        counts = dict.fromkeys(Verdict.values, 0)
        for result in self.results:
            counts[result["verdict"]] += 1
        return counts


class FeedbackKind(models.TextChoices):
    OUTDATED = "outdated", _("Outdated or wrong")
    NEW_VARIANT = "new_variant", _("New fake variant")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")


class FeedbackQuerySet(ScopedQuerySet):
    def scope_view(self, scope: Scope) -> FeedbackQuerySet:
        """The administration that sent it; the guide's owner; platform admins."""
        if scope.is_platform:
            return self.all()
        if scope.is_enforcement:
            return self.filter(organization_id=scope.organization_id)
        if scope.is_owner:
            return self.filter(guide__brand__owner_id=scope.organization_id)
        return self.none()


class Feedback(models.Model):
    """An officer's report on a guide: outdated or wrong, or a new fake variant (with a photo)."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="feedback")
    version = models.ForeignKey(GuideVersion, null=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=FeedbackKind.choices)
    message = models.TextField(_("message"))
    photo = models.FileField(_("photo"), upload_to=private_upload_to("guides/feedback"), blank=True, max_length=255)
    status = models.CharField(_("status"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("guide feedback")
        verbose_name_plural = _("guide feedback")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "-created"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:60]}"


class GuideViewDay(models.Model):
    """How many times officers of one country read a guide on one day. Nobody's identity is
    kept: only the count."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="view_days")
    country = CountryField(_("country"))
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("guide views of a day")
        verbose_name_plural = _("guide views")
        constraints = [models.UniqueConstraint("guide", "country", "day", name="guide_view_day_unique")]
        indexes = [models.Index(fields=["guide", "day"])]

    def __str__(self) -> str:
        return f"{self.guide_id} {self.country.code} {self.day}: {self.views}"
