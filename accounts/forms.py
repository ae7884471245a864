"""Forms of the account pages: sign-in, registration, the person's own account, two-factor,
moderation actions and the filters of the moderation lists. They validate input; the writes are
the services' job."""

from __future__ import annotations

import datetime
import logging

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core import broker
from core.forms import ANY, PortalForm, ServiceForm, add_service_errors, countries_field, split_lines

from . import services
from .models import (
    APPOINTMENT_ROLE_CHOICES,
    REGISTRABLE_KIND_CHOICES,
    REGISTRABLE_KINDS,
    AuditAction,
    Organization,
    OrganizationKind,
    Status,
    User,
)

logger = logging.getLogger(__name__)


def _with_blank(choices):
    return lambda: [("", ANY), *list(choices)]


def _language_choices():
    # Each language in its own name, as in the header's switcher.
    return [(code, get_language_info(code)["name_local"].capitalize()) for code, _name in settings.LANGUAGES]


def _country_choices():
    # Evaluated when the form is rendered, so country names follow the active language.
    return [("", _("Choose a country")), *list(countries)]


# --------------------------------------------------------------------------- sign-in


class SignInForm(AuthenticationForm):
    """Sign in with an e-mail address. Pending people are let in (the middleware shows them the
    "awaiting approval" page); people whose access ended are refused with the reason."""

    required_css_class = "required"
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong e-mail address or password. The password is case-sensitive."),
        "rejected": _("This account was not accepted. The reason was sent to you by e-mail."),
        "suspended": _("This account is suspended. Contact your organization's administrator or the platform."),
        "removed": _("This account no longer belongs to an organization, so it cannot sign in."),
        "organization_closed": _(
            "Your organization's access to the portal is suspended or was not accepted. Contact the platform."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("E-mail address")
        username.widget = forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email", "maxlength": 254})

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if user.membership_or_none is None and not user.is_superuser:
            raise ValidationError(self.error_messages["removed"], code="removed")
        if user.status == Status.REJECTED:
            raise ValidationError(self.error_messages["rejected"], code="rejected")
        if user.status == Status.SUSPENDED:
            raise ValidationError(self.error_messages["suspended"], code="suspended")
        organization = user.organization
        if organization is not None and organization.status in (Status.REJECTED, Status.SUSPENDED):
            raise ValidationError(self.error_messages["organization_closed"], code="organization_closed")


# --------------------------------------------------------------------------- registration

# Where the service's error keys go on the form; anything else is shown above the form.
REGISTRATION_ERROR_FIELDS = {
    "email": "email",
    "password": "password1",
    "full_name": "full_name",
    "language": "language",
    "organization": "organization_name",
    "organization_name": "organization_name",
    "organization_kind": "organization_kind",
    "country": "country",
    "trademarks": "trademarks",
}


# What each kind is called where a person picks theirs ("Your organization is ..."): the kind's
# name first, then who belongs there where the name alone does not say it.
REGISTRATION_KIND_LABELS = {
    OrganizationKind.RIGHT_HOLDER: _("Right holder (a brand owner)"),
    OrganizationKind.REPRESENTATIVE: _("Representative (a law firm or agent acting for right holders)"),
    OrganizationKind.CUSTOMS: _("Customs administration"),
    OrganizationKind.POLICE: _("Police force"),
    OrganizationKind.MARKET_SURVEILLANCE: _("Market surveillance authority"),
    OrganizationKind.ANTI_FRAUD: _("Anti-fraud agency"),
    OrganizationKind.INTERNATIONAL: _(
        "International body (such as INTERPOL, Europol or OLAF): the platform sets the countries it covers"
    ),
}


class RegistrationForm(PortalForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200, widget=forms.TextInput({"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("Use your work address: your organization's administrators will see it."),
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        help_text=_("At least 10 characters; not a common password, not only digits."),
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices)
    organization_kind = forms.ChoiceField(
        label=_("Your organization is"),
        choices=[(kind.value, REGISTRATION_KIND_LABELS.get(kind, kind.label)) for kind in REGISTRABLE_KINDS],
        help_text=_(
            "Enforcement agencies (customs, police, market surveillance, anti-fraud, international bodies) "
            "search the catalogue and raise cases; right holders publish it; representatives (law firms, "
            "agents) act for the right holders that appoint them."
        ),
        widget=forms.RadioSelect,
    )
    organization_name = forms.CharField(
        label=_("Organization name"),
        min_length=2,
        max_length=200,
        help_text=_(
            "To join an organization already on the portal, give its exact name, kind and country: "
            "its administrator will review your request."
        ),
        widget=forms.TextInput({"autocomplete": "organization"}),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=_country_choices,
        help_text=_(
            "A national agency's jurisdiction; a right holder's or a representative's seat; an international "
            "body's base."
        ),
    )
    trademarks = forms.CharField(
        label=_("Trade mark registrations (right holders)"),
        required=False,
        max_length=4000,
        help_text=_(
            "Optional: one per line, the office, a comma, then the registration number "
            "(for example: EUIPO, 018123456). They help the platform check that the brand is yours."
        ),
        widget=forms.Textarea({"rows": 3}),
    )

    def clean_trademarks(self) -> list[dict[str, str]]:
        """One registration a line, "office, number" (the service checks the rest)."""
        registrations = []
        for position, line in enumerate(split_lines(self.cleaned_data.get("trademarks", "")), start=1):
            office, separator, number = line.partition(",")
            if not separator or not office.strip() or not number.strip():
                raise ValidationError(
                    _("Line %(line)d: write the office, a comma, then the number (for example: EUIPO, 018123456)."),
                    params={"line": position},
                )
            registrations.append({"office": office.strip(), "number": number.strip()})
        return registrations

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned

    def register(self, *, ip: str | None) -> User | None:
        """Register through the service; its errors land on the matching fields."""
        data = self.cleaned_data
        try:
            return services.register_account(
                email=data["email"],
                password=data["password1"],
                full_name=data["full_name"],
                language=data["language"],
                organization_kind=data["organization_kind"],
                organization_name=data["organization_name"],
                country=data["country"],
                trademarks=data.get("trademarks") or None,
                ip=ip,
            )
        except ValidationError as error:
            add_service_errors(self, error, REGISTRATION_ERROR_FIELDS)
            return None


# --------------------------------------------------------------------------- the person's own account


class ProfileForm(PortalForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200, widget=forms.TextInput({"autocomplete": "name"}))
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices)


class TokenCreateForm(PortalForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("A label to recognise the token by, e.g. the script or system using it."),
    )


class TwoFactorCodeForm(PortalForm):
    code = forms.RegexField(
        label=_("Six-digit code"),
        regex=r"^\d{6,8}$",
        max_length=8,
        error_messages={"invalid": _("Enter the 6 digits shown by your authenticator app.")},
        help_text=_("The code shown by your authenticator app now."),
        widget=forms.TextInput(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"\d*", "size": 8}
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


# --------------------------------------------------------------------------- moderation actions


class ReasonForm(PortalForm):
    """The reason given with a moderation action. Whether it is required is the service's call."""

    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class MemberActionForm(ReasonForm):
    role = forms.CharField(label=_("Role"), max_length=20, required=False)


class JurisdictionForm(PortalForm):
    """The countries an international body covers, as typed codes; the service checks them."""

    countries = forms.CharField(
        label=_("Countries it covers"),
        max_length=1000,
        error_messages={"required": _("Give at least one country.")},
        help_text=_(
            "Two-letter ISO 3166-1 country codes, separated by commas, for example: DE, ES, FR. "
            "Its officers see what is shared with these countries from their next page."
        ),
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )


# --------------------------------------------------------------------------- list filters


class KindFilterForm(PortalForm):
    """The moderation queue's filter: the kinds a person can register."""

    kind = forms.ChoiceField(label=_("Kind"), choices=_with_blank(REGISTRABLE_KIND_CHOICES), required=False)

    def filter(self, queryset, field: str = "kind"):
        """`queryset` narrowed to the chosen kind, read through `field`; nothing if the choice is
        not one of the kinds."""
        if not self.is_valid():
            return queryset.none()
        if self.cleaned_data["kind"]:
            queryset = queryset.filter(**{field: self.cleaned_data["kind"]})
        return queryset


class OrganizationFilterForm(PortalForm):
    q = forms.CharField(label=_("Name"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=_with_blank(Status.choices), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_with_blank(OrganizationKind.choices), required=False)
    country = forms.ChoiceField(label=_("Country"), choices=_with_blank(countries), required=False)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["q"]:
            queryset = queryset.filter(name__icontains=data["q"])
        for field in ("status", "kind", "country"):
            if data[field]:
                queryset = queryset.filter(**{field: data[field]})
        return queryset


class MemberFilterForm(PortalForm):
    q = forms.CharField(label=_("Name or e-mail"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=_with_blank(Status.choices), required=False)
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.order_by("name", "id"),
        required=False,
        empty_label=_("Any"),
    )

    def __init__(self, *args, with_organization: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_organization:
            # Organization admins and coordinators see only their own organization.
            del self.fields["organization"]

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["q"]:
            queryset = queryset.filter(Q(email__icontains=data["q"]) | Q(full_name__icontains=data["q"]))
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data.get("organization"):
            queryset = queryset.filter(membership__organization=data["organization"])
        return queryset


class AuditFilterForm(PortalForm):
    action = forms.ChoiceField(label=_("Action"), choices=_with_blank(AuditAction.choices), required=False)
    actor = forms.CharField(label=_("Actor's e-mail"), max_length=254, required=False)
    target_type = forms.CharField(
        label=_("Target type"),
        max_length=64,
        required=False,
        help_text=_("For example accounts.user or accounts.organization."),
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label=_("To"),
        required=False,
        help_text=_("Included."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["action"]:
            queryset = queryset.filter(action=data["action"])
        if data["actor"]:
            queryset = queryset.filter(actor_email__icontains=data["actor"].strip())
        if data["target_type"]:
            queryset = queryset.filter(target_type=data["target_type"].strip().lower())
        # Whole days in the portal's time zone, as bounds on the indexed column.
        if data["since"]:
            queryset = queryset.filter(created__gte=_start_of(data["since"]))
        if data["until"]:
            queryset = queryset.filter(created__lt=_start_of(data["until"] + datetime.timedelta(days=1)))
        return queryset


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, with the e-mail handed to a Celery task: the page answers at once, as fast
    for an unknown address as for a known one, and a slow mail server never holds a request."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        from django.template import loader

        from .tasks import send_email

        # In the language saved on the account, whatever the language of the page that asked.
        with translation.override(getattr(context.get("user"), "language", "") or settings.LANGUAGE_CODE):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
            html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        if not broker.send(send_email, subject=subject, body=body, to=[to_email], html=html):
            # The broker is down: send it from here rather than lose it (the page waits on the
            # mail server this once; its errors are logged, and the person can ask again).
            try:
                send_email.run(subject=subject, body=body, to=[to_email], html=html)
            except OSError:
                logger.warning("Could not send a password reset e-mail.", exc_info=True)


# --------------------------------------------------------------------------- appointments


class RepresentativeSearchForm(PortalForm):
    """Narrows the firms the appointment form offers (GET)."""

    q = forms.CharField(label=_("Find a representative by name"), max_length=100, required=False)


class AppointmentForm(ServiceForm):
    """A right holder's admin appoints a representative (accounts.services.appointments)."""

    # Any id is taken here (the firm may lie beyond the choices a search showed): the service
    # checks it is an approved representative.
    representative = forms.IntegerField(
        label=_("Representative"), min_value=1, max_value=2**63 - 1, widget=forms.Select
    )
    all_countries = forms.BooleanField(label=_("In every country"), required=False)
    countries = countries_field(
        _("Countries"),
        _("The countries it acts in for you, when not every country. Hold Ctrl (or Cmd) to pick several."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=APPOINTMENT_ROLE_CHOICES,
        help_text=_("Editors change your catalogue and answer cases; viewers only read."),
    )

    def __init__(self, *args, representatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["representative"].widget.choices = [
            ("", _("Choose a representative")),
            *[(firm.pk, f"{firm.name} ({firm.country.code})") for firm in representatives],
        ]
