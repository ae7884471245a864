"""What every app's forms share: the base form, the base of forms whose data goes to a service
(with the service's refusals put back on the matching fields), and the few fields and parsers the
catalogue, alert and guide forms all use (countries, one entry per line)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The blank choice of a list filter.
ANY = _("Any")


class PortalForm(forms.Form):
    """Marks required fields' labels so the shared form template can flag them."""

    required_css_class = "required"


def add_service_errors(form: forms.Form, error: ValidationError, field_map: dict[str, str]) -> None:
    """Put a service's ValidationError (a dict of field -> messages, or plain messages) on the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, messages in error.error_dict.items():
        field = field_map.get(key)
        form.add_error(field if field in form.fields else None, messages)


class ServiceForm(PortalForm):
    """A form whose data goes to a service: `service_data()` is the dict the service takes, and
    `add_service_errors()` shows the service's refusals next to the fields."""

    # Service error keys that are shown on a differently named field.
    error_fields: dict[str, str] = {}

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def add_service_errors(self, error: ValidationError) -> None:
        field_map = {name: name for name in self.fields} | self.error_fields
        add_service_errors(self, error, field_map)


def country_choices() -> list[tuple[str, str]]:
    # Evaluated when the form is rendered, so the names follow the active language.
    return list(countries)


def countries_field(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.MultipleChoiceField:
    """An optional choice of several countries."""
    return forms.MultipleChoiceField(
        label=label,
        choices=country_choices,
        required=False,
        help_text=help_text,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


def split_lines(value: str) -> list[str]:
    """One entry per line, blank lines dropped (the services split strings on commas too, which
    would cut an alias such as "Acme, Inc." in two)."""
    return [line.strip() for line in (value or "").splitlines() if line.strip()]
