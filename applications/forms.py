"""The application form of the pages (the same service as the API: applications.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import Brand, Product, TrademarkRegistration
from core.forms import ServiceForm, country_choices
from core.scope import VIEW


class ApplicationForm(ServiceForm):
    country = forms.ChoiceField(label=_("Customs administration of"), choices=country_choices)
    brands = forms.ModelMultipleChoiceField(label=_("Brands covered"), queryset=Brand.objects.none())
    products = forms.ModelMultipleChoiceField(
        label=_("Products (optional)"), queryset=Product.objects.none(), required=False
    )
    trademarks = forms.ModelMultipleChoiceField(
        label=_("Trade mark registrations relied on (optional)"),
        queryset=TrademarkRegistration.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, user: Any, holder_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The holder's own catalogue, through the gate.
        brands = Brand.objects.restrict(user, VIEW).filter(owner_id=holder_id).order_by("name", "id")
        self.fields["brands"].queryset = brands  # type: ignore[attr-defined]
        self.fields["products"].queryset = (  # type: ignore[attr-defined]
            Product.objects.restrict(user, VIEW)
            .filter(brand__in=brands)
            .select_related("brand")
            .order_by("name", "id")
        )
        self.fields["trademarks"].queryset = (  # type: ignore[attr-defined]
            TrademarkRegistration.objects.restrict(user, VIEW).filter(brand__in=brands).order_by("office", "number")
        )

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "country": data["country"],
            "brands": [brand.pk for brand in data["brands"]],
            "products": [product.pk for product in data["products"]],
            "trademarks": [trademark.pk for trademark in data["trademarks"]],
        }


class GrantForm(ServiceForm):
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))


class RejectForm(ServiceForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
