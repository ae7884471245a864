from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"), max_length=500, help_text=_("An https:// address of your receiver, on a public host.")
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )

    def __init__(self, *args, **kwargs):
        from .services import subscribable_kinds

        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [(kind, kind) for kind in subscribable_kinds()]
