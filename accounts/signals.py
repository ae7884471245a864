"""Who a person is, as the caches know it: any change of a user, their membership (role), an
organization (status, kind, country, jurisdiction), an API token or a two-factor device makes a
new cache version (core/versions.py), in the change's transaction, so that no cached look-up of
a token or a person (accounts/authentication.py) outlives it.

Queryset updates send no signal: the services that use them (organizations.py) save the
organization in the same transaction, which is enough (one version per transaction)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import versions

from .models import ApiToken, Appointment, Membership, Organization, User


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
@receiver(post_save, sender=Organization)
@receiver(post_delete, sender=Organization)
@receiver(post_save, sender=ApiToken)
@receiver(post_delete, sender=ApiToken)
@receiver(post_save, sender=TOTPDevice)
@receiver(post_delete, sender=TOTPDevice)
@receiver(post_save, sender=Appointment)
@receiver(post_delete, sender=Appointment)
def person_changed(sender, raw=False, **kwargs):
    if not raw:
        versions.bump()
