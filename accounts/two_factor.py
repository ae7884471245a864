"""Two-factor (TOTP): who must use it, set-up and removal (the device writes and their audit
entries)."""

from __future__ import annotations

from base64 import b32encode

import qrcode
from django.conf import settings
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

from core.permissions import allowed

from .audit import audit_log
from .models import AuditAction, User
from .permissions import GO_WITHOUT_TWO_FACTOR

DEVICE_NAME = "default"


def second_factor_required(user: User) -> bool:
    """Whether the person's role obliges them to use two-factor: with REQUIRE_2FA on, everyone the
    role table does not let go without it (platform admins, enforcement coordinators). Asked of people
    with access (anyone else is refused before)."""
    return bool(settings.REQUIRE_2FA) and not allowed(user, GO_WITHOUT_TWO_FACTOR)


def setup_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up, made on the first visit and reused until confirmed,
    so reloading the page does not change the secret the person already scanned."""
    device = TOTPDevice.objects.filter(user=user, name=DEVICE_NAME, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as an inline SVG QR code (no image request, no CDN)."""
    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8, border=2)
    # Generated from our own data by qrcode: markup, not user input.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


def readable_secret(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def two_factor_enable(*, user: User, device: TOTPDevice, ip: str | None = None) -> TOTPDevice:
    """Confirm a device whose code the person just entered; any other device of theirs goes."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit_log(actor=user, action=AuditAction.TWO_FACTOR_ENABLED, target=user, ip=ip)
    return device


@transaction.atomic
def two_factor_disable(*, user: User, ip: str | None = None) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    audit_log(actor=user, action=AuditAction.TWO_FACTOR_DISABLED, target=user, ip=ip)
