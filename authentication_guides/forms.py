"""Forms of the guide pages. They parse what the browser sends into the dicts the services take;
the services validate again (languages, visibility that only narrows, products of the brand) and
their refusals are put back on the matching fields with `add_service_errors`."""

from __future__ import annotations

from django import forms
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from brands.forms import AgenciesField, SharingErrors
from brands.models import Brand, Category, Product
from core.forms import PortalForm, ServiceForm
from core.roles import AGENCY_CHOICES
from uploads.forms import SafeImageField

from .models import Guide, Importance, IndicatorKind, Verdict

ANY = _("Any")


def language_name(code: str) -> str:
    info = LANG_INFO.get(code, {})
    return gettext(info["name"]) if "name" in info else code


def _language_choices():
    # Evaluated when the form is rendered, so the names follow the active language.
    codes = [code for code, info in LANG_INFO.items() if len(code) == 2 and "name" in info]
    return sorted(((code, language_name(code)) for code in codes), key=lambda choice: choice[1].casefold())


class _ProductChoice(forms.ModelChoiceField):
    """A product, named with its brand when the form offers several brands' products."""

    def __init__(self, *args, with_brand: bool = False, **kwargs):
        self.with_brand = with_brand
        super().__init__(*args, **kwargs)

    def label_from_instance(self, product: Product) -> str:
        label = f"{product.name} ({product.sku})" if product.sku else product.name
        return f"{product.brand.name} — {label}" if self.with_brand else label


class GuideForm(SharingErrors, ServiceForm):
    """A new guide (with its brand, unless it is fixed), a translation, or a guide's settings.

    On an existing guide, `service_data()` holds only what changed: sending an unchanged title
    would open a new draft version of a published guide for nothing.

    Agencies: the brand's are offered, all ticked by default; every one of them ticked means "as
    the brand" (the guide follows the brand's later changes), fewer narrow the guide."""

    ALL, SELECTED = "all", "selected"

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=20_000,
        help_text=_("What the guide covers and what to look at first."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    language = forms.ChoiceField(
        label=_("Language of the guide"), choices=lambda: [("", _("Choose a language")), *_language_choices()]
    )
    category = forms.ChoiceField(
        label=_("Product category"),
        required=False,
        choices=[("", _("None (or the product's)")), *Category.choices],
    )
    agencies = AgenciesField(
        label=_("Agencies that see this guide"),
        help_text=_("Only kinds of agency the brand is shared with: a guide can narrow its brand's sharing."),
    )
    visibility = forms.ChoiceField(
        label=_("Who sees this guide"),
        choices=[
            (ALL, _("Every country where the brand is visible")),
            (SELECTED, _("Only the administrations of the countries chosen below")),
        ],
        initial=ALL,
        widget=forms.RadioSelect,
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=lambda: list(countries),
        required=False,
        help_text=_(
            "Only countries that see the brand: a guide can narrow its brand's visibility, never widen it. "
            "Hold Ctrl (or ⌘) to choose several."
        ),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    error_fields = {"visibility": "countries", "translation_of": "language"}

    def __init__(self, *args, user, brand: Brand | None = None, guide: Guide | None = None, version=None, **kwargs):
        self.guide = guide
        if guide is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": version.title if version else "",
                    "summary": version.summary if version else "",
                    "language": guide.language,
                    "product": guide.product_id,
                    "category": guide.category,
                    "agencies": guide.agencies,
                    "visibility": self.ALL if guide.visible_to_all else self.SELECTED,
                    "countries": [row.country.code for row in guide.visibility_countries.all()],
                },
            )
            brand = guide.brand
        super().__init__(*args, **kwargs)
        # The brand's agencies, when the brand is known (otherwise the service checks the choice).
        self.brand_agencies = brand.agencies if brand is not None else [kind for kind, _label in AGENCY_CHOICES]
        self.fields["agencies"].choices = [
            (kind, label) for kind, label in AGENCY_CHOICES if kind in self.brand_agencies
        ]
        self.initial.setdefault("agencies", self.brand_agencies)
        products = (
            Product.objects.restrict(user, "change").select_related("brand").order_by("brand__name", "name", "id")
        )
        fields = dict(self.fields)
        if brand is None:
            # A new guide: the person chooses one of the brands they may write for.
            fields = {
                "brand": forms.ModelChoiceField(
                    label=_("Brand"),
                    queryset=Brand.objects.restrict(user, "change").order_by("name", "id"),
                    empty_label=_("Choose a brand"),
                ),
                **fields,
            }
        else:
            products = products.filter(brand=brand)
        fields["product"] = _ProductChoice(
            label=_("Product"),
            queryset=products,
            required=False,
            empty_label=_("None: the guide covers the brand or a category"),
            with_brand=brand is None,
        )
        order = ["brand", "title", "summary", "language", "product", "category", "agencies", "visibility", "countries"]
        self.fields = {name: fields[name] for name in order if name in fields}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("visibility") == self.SELECTED and not cleaned.get("countries") and "countries" in cleaned:
            self.add_error("countries", _("Choose at least one country, or keep the brand's visibility."))
        return cleaned

    def _visibility(self) -> dict:
        data = self.cleaned_data
        visibility: dict = (
            {"all": True} if data["visibility"] == self.ALL else {"all": False, "countries": data["countries"]}
        )
        agencies = data.get("agencies")
        if agencies is None and self.guide is not None:
            agencies = self.guide.own_agencies  # not sent: as they are
        if agencies is not None and set(agencies) != set(self.brand_agencies):
            visibility["agencies"] = agencies
        return visibility

    def service_data(self) -> dict:
        data = self.cleaned_data
        values = {
            "title": data["title"],
            "summary": data["summary"],
            "language": data["language"],
            "product": data["product"],
            "category": data["category"],
            "visibility": self._visibility(),
        }
        if self.guide is None:
            return values
        changed = {name for name in self.changed_data if name not in ("title", "summary")}
        if changed & {"visibility", "countries", "agencies"}:
            changed.add("visibility")
        for name in ("title", "summary"):
            # A browser sends a textarea's line breaks as CRLF: not a change on its own.
            if _lines(values[name]) != _lines(self.initial.get(name) or ""):
                changed.add(name)
        return {field: value for field, value in values.items() if field in changed}


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


class IndicatorForm(ServiceForm):
    """An indicator with its two pictures: both required when adding; when editing, a picture
    left empty keeps the current one."""

    title = forms.CharField(label=_("What to check"), max_length=200, help_text=_("e.g. “Stitches on the left seam”."))
    description = forms.CharField(
        label=_("How to tell"),
        required=False,
        max_length=20_000,
        help_text=_("e.g. “Genuine: 8 stitches per cm, straight. Fakes: 5 or 6, uneven.”"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    location = forms.CharField(
        label=_("Where on the item"), required=False, max_length=200, help_text=_("e.g. “inside the left shoe”.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=IndicatorKind.choices, initial=IndicatorKind.CHECK)
    importance = forms.ChoiceField(
        label=_("Importance"),
        choices=Importance.choices,
        initial=Importance.STRONG,
        help_text=_("Decisive: on its own, tells a fake. Decisive indicators are shown first."),
        widget=forms.RadioSelect,
    )
    order = forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=0,
        max_value=32_000,
        help_text=_("Within the same importance, indicators are shown in increasing position."),
    )

    def __init__(self, *args, indicator=None, original=None, **kwargs):
        if indicator is not None:
            fields = ("title", "description", "location", "kind", "importance", "order")
            kwargs.setdefault("initial", {field: getattr(indicator, field) for field in fields})
        super().__init__(*args, **kwargs)
        adding = indicator is None
        if original is not None:  # a translation: the original text beside each field
            language = language_name(indicator.source_language)
            for name in ("title", "description", "location"):
                text = getattr(original, name)
                if text:
                    self.fields[name].help_text = _("Original (%(language)s): %(text)s") % {
                        "language": language,
                        "text": text,
                    }
        if indicator is not None and not indicator.translated:
            self.fields["translated"] = forms.BooleanField(
                label=_("These texts are translated"),
                required=False,
                help_text=_(
                    "Tick when the texts above are in the guide's language, even unchanged (a name, a "
                    "number). Changing a text marks it translated too."
                ),
            )
        keep = "" if adding else _("Leave empty to keep the current picture.")
        self.fields["genuine_image"] = SafeImageField(
            label=_("Picture of the genuine item"),
            required=adding,
            help_text=keep or _("A JPEG, PNG or WebP picture."),
            error_messages={"required": _("Add a picture of the genuine item.")},
        )
        self.fields["counterfeit_image"] = SafeImageField(
            label=_("Picture of a counterfeit"),
            required=adding,
            help_text=keep or _("A JPEG, PNG or WebP picture, showing the same place as the genuine one."),
            error_messages={"required": _("Add a picture of a counterfeit.")},
        )
        self.fields["extra_picture"] = SafeImageField(
            label=_("Extra picture (optional)"),
            required=False,
            help_text=_("Another angle, a detail or a known fake variant."),
        )
        self.fields["extra_caption"] = forms.CharField(
            label=_("Caption of the extra picture"), required=False, max_length=200
        )

    EXTRA_FIELDS = ("extra_picture", "extra_caption")

    def extra(self) -> tuple | None:
        """(CleanImage, caption) for an extra picture sent with the form, or None."""
        image = self.cleaned_data.get("extra_picture")
        return (image, self.cleaned_data.get("extra_caption", "")) if image else None

    def indicator_changed(self) -> bool:
        return any(name not in self.EXTRA_FIELDS for name in self.changed_data)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("genuine_image", None)
        data.pop("counterfeit_image", None)
        for name in self.EXTRA_FIELDS:
            data.pop(name, None)
        if data.get("order") is None:
            data.pop("order", None)  # the service puts a new indicator last
        return data

    def pictures(self) -> dict:
        """The new pictures (uploads.images.CleanImage), None for a side left unchanged."""
        return {
            side: value if value else None
            for side, value in (
                ("genuine_image", self.cleaned_data.get("genuine_image")),
                ("counterfeit_image", self.cleaned_data.get("counterfeit_image")),
            )
        }


class ChecklistForm(PortalForm):
    """An inspection: for each indicator of the published version, what the item shows (matches
    genuine, matches fake, can't tell) with an optional note; a note on the whole inspection."""

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"verdict-{indicator.key}"] = forms.ChoiceField(
                label=_("What the item shows"),
                choices=Verdict.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose what the item shows for this indicator.")},
            )
            self.fields[f"note-{indicator.key}"] = forms.CharField(
                label=_("Note (optional)"), required=False, max_length=2_000
            )
        self.fields["note"] = forms.CharField(
            label=_("Note on the inspection (optional)"),
            required=False,
            max_length=20_000,
            help_text=_("e.g. the consignment, the quantity, where the item was found."),
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def rows(self) -> list[tuple]:
        """(indicator, its verdict field, its note field), in the order shown."""
        return [(i, self[f"verdict-{i.key}"], self[f"note-{i.key}"]) for i in self.indicators]

    def results(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"indicator": str(i.key), "verdict": data[f"verdict-{i.key}"], "note": data[f"note-{i.key}"]}
            for i in self.indicators
        ]


class UnpublishForm(PortalForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2_000,
        help_text=_("The brand owner is told it, and it goes to the audit log."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GuideFilterForm(PortalForm):
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.none(), required=False, empty_label=ANY)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, guides, **kwargs):
        """`guides`: the guides the person may see; the choices are their brands and languages."""
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = Brand.objects.filter(pk__in=guides.values("brand")).order_by("name", "id")
        languages = guides.order_by().values_list("language", flat=True).distinct()
        self.fields["language"].choices = lambda: [
            ("", ANY),
            *sorted(((code, language_name(code)) for code in languages), key=lambda c: c[1].casefold()),
        ]

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        if self.cleaned_data["brand"] is not None:
            queryset = queryset.filter(brand=self.cleaned_data["brand"])
        if self.cleaned_data["language"]:
            queryset = queryset.filter(language=self.cleaned_data["language"])
        return queryset


# The feedback loop and the usage dashboard (appended; imported here to keep the edit local).
from .models import FeedbackKind, FeedbackStatus  # noqa: E402


class FeedbackForm(PortalForm):
    """An officer's report on a published guide: outdated or wrong, or a new fake variant."""

    kind = forms.ChoiceField(
        label=_("What are you reporting?"),
        choices=FeedbackKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you are reporting.")},
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=20_000,
        help_text=_("What is wrong, or how the new fake differs from the genuine item."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    photo = SafeImageField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("A picture of the fake or of what changed (JPEG, PNG or WebP)."),
    )


class AnswerForm(PortalForm):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=20_000,
        help_text=_("The officers' administration reads it with their report."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FeedbackFilterForm(PortalForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", ANY), *FeedbackStatus.choices])

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        if self.cleaned_data["status"]:
            queryset = queryset.filter(status=self.cleaned_data["status"])
        return queryset


USAGE_PERIODS = (30, 90, 365)


class UsagePeriodForm(PortalForm):
    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        required=False,
        empty_value=90,
        choices=[
            (30, _("Last 30 days")),
            (90, _("Last 90 days")),
            (365, _("Last 365 days")),
        ],
    )

    def period(self) -> int:
        """The chosen period; 90 days when nothing (or nothing valid) was chosen."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["days"]
        return 90
