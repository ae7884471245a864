from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from brands.identifiers import normalize_hs_prefix
from brands.models import Category
from core.forms import ANY, PortalForm
from uploads.images import ACCEPT

from .barcodes import open_photo
from .models import ResultType
from .services import MAX_QUERY_LENGTH


class SearchForm(PortalForm):
    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_QUERY_LENGTH,
        help_text=_("A brand, product, GTIN, HS code, trade-mark number or words of a guide."),
        error_messages={"required": _("Type what you are looking for.")},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )
    type = forms.ChoiceField(label=_("Type"), choices=[("", ANY), *ResultType.choices], required=False)
    category = forms.ChoiceField(label=_("Category"), choices=[("", ANY), *Category.choices], required=False)
    hs_code = forms.CharField(label=_("HS code starts with"), max_length=20, required=False)
    origin = forms.ChoiceField(label=_("Expected origin"), choices=lambda: [("", ANY), *countries], required=False)

    def clean_hs_code(self) -> str:
        value = self.cleaned_data["hs_code"]
        return normalize_hs_prefix(value) if value else ""


class PhotoField(forms.FileField):
    """A photo to search with: its cleaned value is the picture reduced for reading
    (search.barcodes.open_photo), checked like every upload and kept nowhere."""

    def widget_attrs(self, widget: forms.Widget) -> dict:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ACCEPT
        return attrs

    def to_python(self, data):
        uploaded = super().to_python(data)
        return None if uploaded is None else open_photo(uploaded)


class ScanForm(PortalForm):
    image = PhotoField(
        label=_("Photo of the barcode"),
        help_text=_("Take a photo of the barcode or QR code, or choose one (JPEG, PNG or WebP)."),
        widget=forms.FileInput(attrs={"capture": "environment"}),  # the phone opens its camera
    )
