"""Forms of the alert and case pages. They parse what the browser sends into the dicts the
services take; the services validate and their refusals are shown next to the fields."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from brands.forms import AgenciesField
from brands.models import Brand, Category, Product, TransportMode
from core.forms import ANY, PortalForm, ServiceForm
from core.forms import countries_field as _countries_field
from core.forms import country_choices as _country_choices
from core.forms import split_lines as _lines
from core.permissions import allowed
from core.roles import INTERNATIONAL_KINDS
from core.scope import scope_of
from uploads.forms import SafeImageField

from . import workdays
from .models import (
    AlertStatus,
    CaseStatus,
    CaseVerdictKind,
    Operation,
    Outcome,
    Procedure,
    Severity,
    procedures_for,
)
from .permissions import ALERTS_TRACK
from .subjects import MAX_SUBJECTS, MAX_VALUE_LENGTH, SubjectKind

HOLD_CTRL = _("Hold Ctrl (or ⌘) to choose several.")


def id_or_none(value) -> int | None:
    """An object's id (a primary key, or digits sent with the request); None for anything else."""
    value = str(getattr(value, "pk", value) or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 18 else None


class AlertForm(ServiceForm):
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("e.g. Fake Lumina watches via Le Havre"))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    description = forms.CharField(
        label=_("Description"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products"), queryset=Product.objects.none(), required=False, help_text=HOLD_CTRL
    )
    target_countries = _countries_field(
        _("Send to the administrations of"), _("Only countries where the brand is visible. ") + str(HOLD_CTRL)
    )
    target_agencies = AgenciesField(
        label=_("Send to these kinds of agency"),
        help_text=_("Only kinds of agency the brand is shared with: all of them by default."),
    )
    hs_codes = forms.CharField(
        label=_("HS codes"),
        max_length=2000,
        required=False,
        help_text=_("One per line, 6 to 10 digits, e.g. 9102.11."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    origin_countries = _countries_field(_("Suspected origin countries"), HOLD_CTRL)
    route = forms.CharField(
        label=_("Route"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    ports = forms.CharField(
        label=_("Ports and airports"),
        max_length=20_000,
        required=False,
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    transport_modes = forms.MultipleChoiceField(
        label=_("Transport modes"), choices=TransportMode.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        help_text=_("The last day, YYYY-MM-DD."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, user, alert=None, brand=None, **kwargs):
        if alert is not None:
            kwargs.setdefault(
                "initial",
                {
                    "brand": alert.brand_id,
                    "title": alert.title,
                    "severity": alert.severity,
                    "description": alert.description,
                    "products": [p.pk for p in alert.products.all()],
                    "target_countries": alert.target_countries,
                    "target_agencies": alert.target_agencies,
                    "hs_codes": "\n".join(alert.hs_codes),
                    "origin_countries": alert.origin_countries,
                    "route": alert.route,
                    "ports": "\n".join(alert.ports),
                    "transport_modes": alert.transport_modes,
                    "valid_until": alert.valid_until,
                },
            )
        else:
            kwargs.setdefault(
                "initial",
                {"valid_until": timezone.localdate() + datetime.timedelta(days=30), "brand": id_or_none(brand)},
            )
        super().__init__(*args, **kwargs)
        brands = Brand.objects.restrict(user, "change").order_by("name")
        self.fields["brand"].queryset = brands
        # The products offered are those of one brand (a catalogue may hold thousands): the
        # alert's, or the one chosen (?brand= or the posted brand).
        brand_id = (
            alert.brand_id if alert is not None else id_or_none(self.data.get("brand") or self.initial.get("brand"))
        )
        self.fields["products"].queryset = Product.objects.filter(brand__in=brands, brand_id=brand_id).order_by("name")
        if brand_id is None:
            self.fields["products"].help_text = _("Choose the brand first: its products are offered here.")
        if alert is not None:
            self.fields["brand"].disabled = True
        self._offer_agencies(brands.filter(pk=brand_id).first() if brand_id is not None else None, alert)

    def _offer_agencies(self, brand: Brand | None, alert) -> None:
        """The brand's agencies are offered, ticked by default (the alert's when editing). Before
        the brand is known, nothing is offered and the alert goes to the brand's agencies; a new
        alert posted without the field (the form as shown before the brand was chosen) means the
        same, and is shown again with them ticked. An edit without the field keeps the alert's."""
        if brand is None:
            del self.fields["target_agencies"]
            return
        shared = brand.agencies
        field = self.fields["target_agencies"]
        field.choices = [(kind, label) for kind, label in field.choices if kind in shared]
        self.initial.setdefault("target_agencies", shared)
        if alert is None and self.is_bound and "target_agencies" not in self.data:
            data = self.data.copy()
            if hasattr(data, "setlist"):
                data.setlist("target_agencies", shared)
            else:
                data["target_agencies"] = shared
            self.data = data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["products"] = list(data.get("products") or [])
        data["hs_codes"] = _lines(data["hs_codes"].replace(",", "\n"))
        data["ports"] = _lines(data["ports"])
        return data


class AlertFilterForm(ServiceForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", ANY), *AlertStatus.choices], required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", ANY), *Severity.choices], required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not allowed(user, ALERTS_TRACK):
            del self.fields["status"]  # officers only ever see published alerts

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        for field in ("status", "severity"):
            if field in self.fields and self.cleaned_data.get(field):
                queryset = queryset.filter(**{field: self.cleaned_data[field]})
        return queryset


# --------------------------------------------------------------------------- cases


class CaseForm(ServiceForm):
    """The procedures the officer's kind opens (customs: a choice, detention first; the others:
    verification only), the answer date a verification asks for (5 working days ahead by
    default), and for an international body the country of the case, one of its jurisdiction's."""

    procedure = forms.ChoiceField(label=_("Procedure"), choices=Procedure.choices, widget=forms.RadioSelect)
    requested_deadline = forms.DateField(
        label=_("Answer requested by"),
        required=False,
        help_text=_("A working day, 1 to 30 working days ahead (5 by default), YYYY-MM-DD."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    country = forms.ChoiceField(label=_("Country of the case"), choices=())
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.none())
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.none(), required=False, empty_label=_("Not known")
    )
    description = forms.CharField(
        label=_("What was detained"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000_000)
    location = forms.CharField(label=_("Location"), max_length=200, help_text=_("Port, airport, post office…"))
    declared_origin = forms.ChoiceField(
        label=_("Declared origin"), choices=lambda: [("", "—"), *_country_choices()], required=False
    )
    perishable = forms.BooleanField(
        label=_("Perishable goods"),
        required=False,
        help_text=_("A detention's answer is then due in 3 working days, not 10."),
    )
    checklist = forms.IntegerField(widget=forms.HiddenInput, required=False)
    photo = SafeImageField(label=_("Photo"), required=False, help_text=_("A JPEG, PNG or WebP picture."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        self.procedures = procedures_for(scope.kind)
        procedure = self.fields["procedure"]
        procedure.choices = [(p.value, p.label) for p in self.procedures]
        procedure.initial = self.procedures[0].value
        if len(self.procedures) == 1:
            # Nothing to choose: the one procedure of the kind, whatever is posted.
            procedure.disabled = True
            procedure.required = False
            self.fields["description"].label = _("What was seized or inspected")
            self.fields["location"].help_text = _("Shop, market, warehouse, website…")
            self.fields["perishable"].help_text = _("Does not change a verification's answer date.")
        else:
            self.fields["requested_deadline"].help_text = _(
                "Verification requests only (a detention's deadline is set by law): a working day, 1 to 30"
                " working days ahead (5 by default), YYYY-MM-DD."
            )
            procedure.required = False  # none named: a detention
        if scope.kind in INTERNATIONAL_KINDS:
            self.fields["country"].choices = [
                ("", "—"),
                *((code, countries.name(code)) for code in scope.jurisdiction),
            ]
        else:
            del self.fields["country"]  # the administration's own, read-only
        # The default answer date, in the (first) country's calendar; the service checks the one chosen.
        calendar = scope.jurisdiction[0] if scope.jurisdiction else ""
        self.fields["requested_deadline"].initial = workdays.verification_deadline(timezone.localdate(), calendar)
        self.fields["brand"].queryset = Brand.objects.restrict(user, "view").order_by("name")
        # The products offered are those of one brand (the catalogue may hold thousands).
        brand_id = id_or_none(self.data.get("brand") or self.initial.get("brand"))
        self.fields["product"].queryset = (
            Product.objects.restrict(user, "view").filter(brand_id=brand_id).order_by("name")
        )
        if brand_id is None:
            self.fields["product"].help_text = _("Start from the product's page to choose it here.")

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if (data.get("procedure") or self.procedures[0]) == Procedure.DETENTION:
            data["requested_deadline"] = None  # the date field's default, not asked for
        return data


class CaseFilterForm(ServiceForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", ANY), *CaseStatus.choices], required=False)
    overdue = forms.ChoiceField(
        label=_("Deadline"), choices=[("", ANY), ("yes", _("Overdue")), ("no", _("Not overdue"))], required=False
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        if self.cleaned_data.get("status"):
            queryset = queryset.filter(status=self.cleaned_data["status"])
        if self.cleaned_data.get("overdue"):
            queryset = queryset.filter(overdue=self.cleaned_data["overdue"] == "yes")
        return queryset


class RespondForm(ServiceForm):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=CaseVerdictKind.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), max_length=20_000, required=False, widget=forms.Textarea({"rows": 3})
    )


class CloseForm(ServiceForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(label=_("Note"), max_length=20_000, required=False, widget=forms.Textarea({"rows": 2}))


class MessageForm(ServiceForm):
    body = forms.CharField(label=_("Message"), max_length=20_000, widget=forms.Textarea({"rows": 3}))
    attachment = SafeImageField(label=_("Picture"), required=False, help_text=_("A JPEG, PNG or WebP picture."))


class PhotoForm(ServiceForm):
    image = SafeImageField(label=_("Photo"), help_text=_("A JPEG, PNG or WebP picture."))


# --------------------------------------------------------------------------- coordination


class SubjectForm(PortalForm):
    """One row of a case's subjects: what it is and the value as written. A row without a value
    is an empty row, left out."""

    kind = forms.ChoiceField(choices=[("", "—"), *SubjectKind.choices], required=False)
    value = forms.CharField(max_length=MAX_VALUE_LENGTH, required=False)

    def __init__(self, *args, number="__number__", **kwargs):
        super().__init__(*args, **kwargs)
        # The row's number tells the rows apart to a screen reader; the empty row the script
        # copies carries a placeholder it replaces.
        self.fields["kind"].label = _("Kind of subject %(number)s") % {"number": number}
        self.fields["value"].label = _("Subject %(number)s") % {"number": number}

    def clean(self):
        data = super().clean()
        if data.get("value", "").strip() and not data.get("kind"):
            self.add_error("kind", _("Choose what this subject is."))
        return data


class BaseSubjectFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {"number": index + 1 if index is not None else "__number__"}

    def subjects(self) -> list[dict[str, str]]:
        """The rows with a value, as the services take them."""
        return [
            {"kind": form.cleaned_data["kind"], "value": form.cleaned_data["value"].strip()}
            for form in self.forms
            if form.cleaned_data.get("value", "").strip()
        ]


SubjectFormSet = forms.formset_factory(
    SubjectForm,
    formset=BaseSubjectFormSet,
    extra=3,
    max_num=MAX_SUBJECTS,
    absolute_max=MAX_SUBJECTS,
    validate_max=True,
)
SUBJECTS_PREFIX = "subjects"
# The keys of the services' errors shown by the coordination part of a form.
COORDINATION_KEYS = ("subjects", "share_subjects", "operation")


class CoordinationForm(ServiceForm):
    """A case's subjects (a formset of rows), whether the brand owner sees them, and the joint
    operation it is tagged with: on "open a case" and on the case's subjects page.

    `operations` are those the officer may tag the case with; the field is left out when there
    is none. On "open a case", a POST without the subjects' rows (a form as it was before them)
    leaves the three to the service's defaults."""

    share_subjects = forms.BooleanField(
        label=_("Share the subjects with the brand owner"),
        required=False,
        help_text=_("The brand owner sees the subjects only if you share them."),
    )
    operation = forms.ModelChoiceField(
        label=_("Joint operation"),
        queryset=Operation.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("A joint operation your organization takes part in, running on the day the case was opened."),
    )

    def __init__(self, data=None, *, operations, share_default: bool, subjects=(), case=None, **kwargs):
        initial = kwargs.pop("initial", {})
        if case is not None:
            initial = {"share_subjects": case.share_subjects, "operation": case.operation_id, **initial}
        else:
            initial = {"share_subjects": share_default, **initial}
        super().__init__(data, initial=initial, **kwargs)
        self.subject_errors: list[str] = []
        self.given = data is None or case is not None or f"{SUBJECTS_PREFIX}-TOTAL_FORMS" in data
        self.subjects = SubjectFormSet(
            data if data is not None and self.given else None,
            prefix=SUBJECTS_PREFIX,
            initial=[{"kind": s.kind, "value": s.value} for s in subjects],
            error_messages={"too_many_forms": _("At most %(max)d subjects a case.") % {"max": MAX_SUBJECTS}},
        )
        self.fields["operation"].queryset = operations
        if not operations.exists():
            del self.fields["operation"]

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return (self.subjects.is_valid() or not self.given) and valid

    @property
    def has_errors(self) -> bool:
        return bool(
            self.subject_errors
            or (self.is_bound and self.errors)
            or (self.subjects.is_bound and (self.subjects.non_form_errors() or any(self.subjects.errors)))
        )

    def service_data(self) -> dict:
        if not self.given:
            return {}
        data: dict = {"subjects": self.subjects.subjects(), "share_subjects": self.cleaned_data["share_subjects"]}
        if "operation" in self.fields:
            operation = self.cleaned_data.get("operation")
            data["operation"] = operation.pk if operation is not None else None
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "subjects" in error.error_dict:
            self.subject_errors.extend(ValidationError(error.error_dict["subjects"]).messages)
            rest = {key: value for key, value in error.error_dict.items() if key != "subjects"}
            if not rest:
                return
            error = ValidationError(rest)
        super().add_service_errors(error)


class OperationForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("e.g. Operation Pangea"))
    description = forms.CharField(
        label=_("Description"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    starts = forms.DateField(
        label=_("Starts"),
        help_text=_("The first day, YYYY-MM-DD."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends = forms.DateField(
        label=_("Ends"),
        help_text=_("The last day, YYYY-MM-DD: at most two years after the first."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    categories = forms.MultipleChoiceField(
        label=_("Focus categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They inform the participants: any case may be tagged."),
    )
    brands = forms.ModelMultipleChoiceField(
        label=_("Focus brands"), queryset=Brand.objects.none(), required=False, help_text=HOLD_CTRL
    )

    def __init__(self, *args, user, operation=None, **kwargs):
        if operation is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": operation.name,
                    "description": operation.description,
                    "starts": operation.starts,
                    "ends": operation.ends,
                    "categories": operation.categories,
                    "brands": [brand.pk for brand in operation.brands.all()],
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["brands"].queryset = Brand.objects.restrict(user, "view").order_by("name")

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["brands"] = [brand.pk for brand in data.get("brands") or []]
        return data
