from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.permissions import allowed

from . import selectors
from .models import EmailMode
from .permissions import FOLLOW_BRANDS


class PreferencesForm(forms.Form):
    email = forms.ChoiceField(
        label=_("E-mail me"),
        choices=EmailMode.choices,
        widget=forms.RadioSelect,
        help_text=_("Everything always reaches your inbox in the portal."),
    )
    followed_brands = forms.TypedMultipleChoiceField(
        label=_("Brands I follow"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("You are told when one of them publishes a guide."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.follows_brands = allowed(user, FOLLOW_BRANDS)
        if self.follows_brands:
            # Only brands already followed are listed here; follow others from a brand's page.
            self.fields["followed_brands"].choices = [
                (brand.pk, brand.name) for brand in selectors.followed_brands(user=user)
            ]
        else:
            del self.fields["followed_brands"]
