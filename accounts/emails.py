"""Account e-mails, written in each recipient's language, plain text and HTML."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import APPROVER_ROLES, AuditAction, AuditEntry, Membership, Organization, Status, User

# Subject and message of each e-mail; {organization} is filled in.
MESSAGES = {
    AuditAction.ORGANIZATION_APPROVED: (
        _("Your organization is approved"),
        _("{organization} is approved on IPM Portal. You can now sign in and use the portal."),
    ),
    AuditAction.ORGANIZATION_REJECTED: (
        _("Your registration was not accepted"),
        _("The registration of {organization} on IPM Portal was not accepted."),
    ),
    AuditAction.ORGANIZATION_SUSPENDED: (
        _("Your organization is suspended"),
        _("{organization} is suspended on IPM Portal: its members cannot use the portal for now."),
    ),
    AuditAction.ORGANIZATION_REINSTATED: (
        _("Your organization is reinstated"),
        _("{organization} is reinstated on IPM Portal: its members can sign in again."),
    ),
    AuditAction.USER_APPROVED: (
        _("Your account is approved"),
        _("Your account in {organization} is approved. You can now sign in and use the portal."),
    ),
    AuditAction.USER_REJECTED: (
        _("Your request was not accepted"),
        _("Your request to join {organization} on IPM Portal was not accepted."),
    ),
    AuditAction.USER_SUSPENDED: (
        _("Your account is suspended"),
        _("Your account in {organization} is suspended: you cannot use the portal for now."),
    ),
    AuditAction.USER_REINSTATED: (
        _("Your account is reinstated"),
        _("Your account in {organization} is reinstated: you can sign in again."),
    ),
    AuditAction.USER_JOIN_REQUESTED: (
        _("Someone asks to join your organization"),
        _("{person} asks to join {organization}. Approve or reject the request in the portal."),
    ),
}


def recipients_for(entry: AuditEntry) -> list[User]:
    organization = entry.organization
    if entry.action == AuditAction.USER_JOIN_REQUESTED:
        # The organization's approvers; a pending organization has none yet (platform admins
        # see the request in their queue).
        if organization is None or organization.status != Status.APPROVED:
            return []
        return list(
            User.objects.filter(
                membership__organization=organization,
                membership__role__in=APPROVER_ROLES,
                status=Status.APPROVED,
                is_active=True,
            )
        )
    if entry.target_type == Organization._meta.label_lower:
        if entry.action == AuditAction.ORGANIZATION_APPROVED:
            # The founders, approved with it.
            members = Membership.objects.filter(organization_id=entry.target_id, is_founder=True)
        else:
            members = Membership.objects.filter(organization_id=entry.target_id)
        return [m.user for m in members.select_related("user") if m.user.is_active]
    return list(User.objects.filter(pk=entry.target_id, is_active=True))


def send_account_email_for_entry(audit_entry_id: int) -> int:
    entry = AuditEntry.objects.select_related("organization").filter(pk=audit_entry_id).first()
    if entry is None or entry.action not in MESSAGES:
        return 0
    subject_text, message_text = MESSAGES[entry.action]
    sent = 0
    for recipient in recipients_for(entry):
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            context = {
                "recipient": recipient,
                "message": str(message_text).format(
                    organization=entry.organization.name if entry.organization else "",
                    person=entry.actor_email,
                ),
                "reason": entry.reason,
                "site_url": settings.SITE_URL,
            }
            subject = f"[IPM Portal] {subject_text}"
            body = render_to_string("accounts/email/account_message.txt", context)
            html = render_to_string("accounts/email/account_message.html", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=body,
            to=[recipient.email],
            headers={"X-IPM-Event": entry.action, "X-IPM-Delivery": f"audit-{entry.pk}"},
        )
        message.attach_alternative(html, "text/html")
        message.send()
        sent += 1
    return sent
