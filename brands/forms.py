"""Forms of the catalogue pages. They parse what the browser sends into the plain dicts the
services take; the services validate (GTIN check digits, HS codes, countries, duplicates) and
their errors are put back on the matching fields with `add_service_errors`."""

from __future__ import annotations

from django import forms
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import ANY, PortalForm, ServiceForm, countries_field, country_choices, split_lines
from core.roles import AGENCY_CHOICES, AGENCY_VALUES
from uploads.forms import SafeImageField

from .identifiers import AGENCIES_ERROR, normalize_hs_prefix
from .models import Category, ImageCaption, Product, ProductGTIN, SupplyChainRole, TransportMode


def _language_choices():
    names = [(code, gettext(info["name"])) for code, info in LANG_INFO.items() if len(code) == 2 and "name" in info]
    return sorted(names, key=lambda choice: choice[1].casefold())


# --------------------------------------------------------------------------- sharing with agencies


class AgencyCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that say when none is ticked: a hidden empty value goes with them (a browser
    sends nothing for unticked boxes), so "none ticked" is an error while a request without the
    field at all leaves the agencies as they are."""

    def render(self, name, value, attrs=None, renderer=None):
        return format_html('<input type="hidden" name="{}" value="">', name) + super().render(
            name, value, attrs, renderer
        )

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return None
        return super().value_from_datadict(data, files, name)


class AgenciesField(forms.MultipleChoiceField):
    """The kinds of enforcement agency something is shared with: a non-empty list, or None when
    the request does not carry the field."""

    widget = AgencyCheckboxes

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", AGENCY_CHOICES)
        super().__init__(**kwargs)

    def clean(self, value):
        if value is None:
            return None
        chosen = [kind for kind in value if kind]
        if not chosen:
            raise ValidationError(_("Tick at least one kind of agency."), code="required")
        return super().clean(chosen)

    def has_changed(self, initial, data) -> bool:
        return data is not None and super().has_changed(initial, [kind for kind in data if kind])


class SharingErrors:
    """Puts a service's refusal about agencies (a "visibility" error with the code
    identifiers.AGENCIES_ERROR) on the form's agencies field; other visibility errors go where
    `error_fields` says."""

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "visibility" in error.error_dict:
            messages = error.error_dict["visibility"]
            agencies = [message for message in messages if message.code == AGENCIES_ERROR]
            others = [message for message in messages if message.code != AGENCIES_ERROR]
            if agencies:
                self.add_error("agencies", agencies)
                rest = {key: value for key, value in error.error_dict.items() if key != "visibility"}
                if others:
                    rest["visibility"] = others
                if not rest:
                    return
                error = ValidationError(rest)
        super().add_service_errors(error)  # type: ignore[misc]


# --------------------------------------------------------------------------- brands


class BrandForm(SharingErrors, ServiceForm):
    ALL, SELECTED = "all", "selected"

    name = forms.CharField(label=_("Name"), max_length=200)
    aliases = forms.CharField(
        label=_("Other names"),
        required=False,
        max_length=20_000,
        help_text=_("Former names, abbreviations, names in other scripts: one per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"), choices=Category.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    agencies = AgenciesField(
        label=_("Agencies that see this brand"),
        initial=list(AGENCY_VALUES),
        help_text=_("The kinds of enforcement agency that may see the brand, its products and its guides."),
    )
    visibility = forms.ChoiceField(
        label=_("In which countries"),
        choices=[
            (ALL, _("Every country")),
            (SELECTED, _("Only the administrations of the countries chosen below")),
        ],
        initial=ALL,
        widget=forms.RadioSelect,
    )
    countries = countries_field(
        _("Countries"),
        _("Used when the brand is shown only to some countries. Hold Ctrl (or ⌘) to choose several."),
    )

    error_fields = {"visibility": "countries"}

    def __init__(self, *args, brand=None, **kwargs):
        if brand is not None:
            visibility = brand.visibility
            kwargs.setdefault(
                "initial",
                {
                    "name": brand.name,
                    "aliases": "\n".join(brand.aliases),
                    "description": brand.description,
                    "categories": brand.categories,
                    "agencies": visibility["agencies"],
                    "visibility": self.ALL if visibility["all"] else self.SELECTED,
                    "countries": visibility["countries"],
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["logo"] = SafeImageField(
            label=_("Logo"), required=False, help_text=_("A JPEG, PNG or WebP picture.")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("visibility") == self.SELECTED and not cleaned.get("countries") and "countries" in cleaned:
            self.add_error(
                "countries",
                _("Choose at least one country, or make the brand visible to every administration."),
            )
        return cleaned

    def service_data(self) -> dict:
        data = self.cleaned_data
        visibility: dict = (
            {"all": True} if data["visibility"] == self.ALL else {"all": False, "countries": data["countries"]}
        )
        if data.get("agencies") is not None:
            visibility["agencies"] = data["agencies"]
        return {
            "name": data["name"],
            "aliases": split_lines(data["aliases"]),
            "description": data["description"],
            "categories": data["categories"],
            "visibility": visibility,
        }


class BrandSearchForm(PortalForm):
    q = forms.CharField(label=_("Brand name"), max_length=200, required=False)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        q = self.cleaned_data["q"]
        if q:
            # Aliases are a JSON list: a case-insensitive match on its text finds any alias.
            queryset = queryset.filter(Q(name__icontains=q) | Q(aliases__icontains=q))
        return queryset


# --------------------------------------------------------------------------- products


class ProductForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    sku = forms.CharField(label=_("Model or SKU"), max_length=100, required=False)
    gtins = forms.CharField(
        label=_("GTINs (barcodes)"),
        required=False,
        max_length=5_000,
        help_text=_("EAN-8, UPC-A, EAN-13 or GTIN-14, one per line, as printed on the item."),
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "numeric", "spellcheck": "false"}),
    )
    hs_code = forms.CharField(
        label=_("HS code"),
        max_length=20,
        required=False,
        help_text=_("6 to 10 digits, e.g. 6109.10 or 61091000."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    packaging_notes = forms.CharField(
        label=_("Packaging notes"),
        required=False,
        max_length=20_000,
        help_text=_("What the genuine packaging looks like: materials, labels, inserts, seals."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    price_min = forms.DecimalField(
        label=_("Typical price from"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    price_max = forms.DecimalField(
        label=_("Typical price to"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    price_currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False, help_text=_("ISO 4217 code, e.g. EUR.")
    )
    sold_in = countries_field(_("Legitimately sold in"), _("Hold Ctrl (or ⌘) to choose several."))

    def __init__(self, *args, product=None, **kwargs):
        if product is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": product.name,
                    "sku": product.sku,
                    "gtins": "\n".join(product.gtins),
                    "hs_code": product.hs_code,
                    "category": product.category,
                    "description": product.description,
                    "packaging_notes": product.packaging_notes,
                    "price_min": product.price_min,
                    "price_max": product.price_max,
                    "price_currency": product.price_currency,
                    "sold_in": product.sold_in,
                },
            )
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["gtins"] = split_lines(data["gtins"])
        return data


class ProductFilterForm(PortalForm):
    q = forms.CharField(label=_("Name, SKU or GTIN"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=[("", ANY), *Category.choices], required=False)
    hs = forms.CharField(label=_("HS code starts with"), max_length=20, required=False)

    def clean_hs(self) -> str:
        value = self.cleaned_data["hs"]
        return normalize_hs_prefix(value) if value else ""

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["q"]:
            q = data["q"]
            match = Q(name__icontains=q) | Q(sku__icontains=q)
            digits = "".join(c for c in q if c.isdigit())
            if digits and len(digits) >= 4:
                gtins = ProductGTIN.objects.filter(product=OuterRef("pk")).filter(
                    Q(gtin__contains=digits) | Q(entered__icontains=q)
                )
                match |= Q(Exists(gtins))
            queryset = queryset.filter(match)
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        if data["hs"]:
            queryset = queryset.filter(hs_code__startswith=data["hs"])
        return queryset


# --------------------------------------------------------------------------- pictures


class PictureForm(ServiceForm):
    caption = forms.CharField(
        label=_("Caption"),
        max_length=200,
        required=False,
        help_text=_("What to look at, e.g. “hologram on the back label”."),
    )
    kind = forms.ChoiceField(label=_("View"), choices=ImageCaption.choices, initial=ImageCaption.FRONT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "image": SafeImageField(label=_("Picture"), help_text=_("A JPEG, PNG or WebP picture.")),
            **self.fields,
        }


class PictureEditForm(ServiceForm):
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("View"), choices=ImageCaption.choices)
    order = forms.IntegerField(
        label=_("Position"), min_value=0, max_value=32_000, help_text=_("Pictures are shown in increasing order.")
    )

    def __init__(self, *args, picture=None, **kwargs):
        if picture is not None:
            kwargs.setdefault("initial", {"caption": picture.caption, "kind": picture.kind, "order": picture.order})
        super().__init__(*args, **kwargs)


# --------------------------------------------------------------------------- trade marks, contacts, supply chain


class TrademarkForm(ServiceForm):
    office = forms.CharField(label=_("Office"), max_length=100, help_text=_("e.g. EUIPO, WIPO, USPTO, INPI."))
    number = forms.CharField(label=_("Registration number"), max_length=50)
    nice_classes = forms.CharField(
        label=_("Nice classes"), max_length=500, required=False, help_text=_("Numbers from 1 to 45, e.g. 9, 14, 25.")
    )
    expiry_date = forms.DateField(
        label=_("Expiry date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, item=None, **kwargs):
        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    "office": item.office,
                    "number": item.number,
                    "nice_classes": ", ".join(str(c) for c in item.nice_classes),
                    "expiry_date": item.expiry_date,
                },
            )
        super().__init__(*args, **kwargs)


class ContactForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Function"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    countries = countries_field(
        _("Countries covered"), _("Leave empty if this contact answers for every country. Ctrl (or ⌘) for several.")
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=_language_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    hours = forms.CharField(
        label=_("Hours"), max_length=200, required=False, help_text=_("e.g. Mon–Fri 8:00–18:00 CET.")
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    order = forms.IntegerField(label=_("Position"), min_value=0, max_value=32_000, initial=0, required=False)

    def __init__(self, *args, item=None, **kwargs):
        if item is not None:
            fields = ("name", "title", "phone", "email", "countries", "languages", "hours", "notes", "order")
            kwargs.setdefault("initial", {field: getattr(item, field) for field in fields})
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["order"] = data["order"] or 0
        return data


class SupplyChainForm(ServiceForm):
    role = forms.ChoiceField(label=_("Role"), choices=SupplyChainRole.choices)
    name = forms.CharField(
        label=_("Company"), max_length=200, required=False, help_text=_("Not needed for an expected route.")
    )
    country = forms.ChoiceField(label=_("Country"), choices=lambda: [("", "—"), *country_choices()], required=False)
    address = forms.CharField(label=_("Address"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2}))
    origin_countries = countries_field(_("Expected origin countries"), _("Hold Ctrl (or ⌘) to choose several."))
    ports = forms.CharField(
        label=_("Ports and airports"),
        max_length=20_000,
        required=False,
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    transport_modes = forms.MultipleChoiceField(
        label=_("Transport modes"), choices=TransportMode.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        required=False,
        empty_label=_("Every product of the brand"),
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, products=None, item=None, **kwargs):
        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    "role": item.role,
                    "name": item.name,
                    "country": item.country.code if item.country else "",
                    "address": item.address,
                    "origin_countries": item.origin_countries,
                    "ports": "\n".join(item.ports),
                    "transport_modes": item.transport_modes,
                    "product": item.product_id,
                    "notes": item.notes,
                },
            )
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["ports"] = split_lines(data["ports"])
        return data


BRAND_ITEM_FORMS = {
    "trademarks": TrademarkForm,
    "contacts": ContactForm,
    "supply-chain": SupplyChainForm,
}


# --------------------------------------------------------------------------- bulk import


class ProductImportForm(ServiceForm):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "CSV (UTF-8) or Excel workbook (.xlsx). The first row names the columns; “name” is required. "
            "Several GTINs or countries in one cell are separated by “|”."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        """Refuse at once what the import job could not read (told from the content, not the name)."""
        from jobs.readers import detect_format

        upload = self.cleaned_data["file"]
        detect_format(upload, upload.name)
        upload.seek(0)
        return upload
