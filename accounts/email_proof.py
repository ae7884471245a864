"""The link that proves a person reads the e-mail address they registered with.

The link carries a signed token (django.core.signing, with SECRET_KEY and a salt of its own):
the person's id and the address it was sent to, with the moment it was made. It is good for
EMAIL_PROOF_MAX_AGE (3 days unless a setting says otherwise), and for that address only: a
person whose address changed needs a new link. Nothing is stored, so nothing leaks from the
database; a link used twice finds the address already proven and changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "accounts.email-proof"
DEFAULT_MAX_AGE = datetime.timedelta(days=3)


def max_age() -> datetime.timedelta:
    return getattr(settings, "EMAIL_PROOF_MAX_AGE", DEFAULT_MAX_AGE)


@dataclass(frozen=True)
class ProofClaim:
    """What a token says: the person and the address it was sent to."""

    user_id: int
    email: str


class InvalidProof(Exception):
    """Not a token this portal made (altered, cut, or signed with another key)."""


class ExpiredProof(Exception):
    """A token this portal made, too old to prove anything; `claim` says whose it was, so that a
    new link can be sent to the same address."""

    def __init__(self, claim: ProofClaim) -> None:
        super().__init__()
        self.claim = claim


def make_token(*, user_id: int, email: str) -> str:
    return signing.dumps({"u": user_id, "e": email}, salt=SALT, compress=True)


def _claim(payload: object) -> ProofClaim:
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int) or not isinstance(payload.get("e"), str):
        raise InvalidProof
    return ProofClaim(user_id=payload["u"], email=payload["e"])


def read_token(token: str) -> ProofClaim:
    """The claim of a token still within its age; InvalidProof or ExpiredProof otherwise."""
    try:
        return _claim(signing.loads(token, salt=SALT, max_age=max_age()))
    except signing.SignatureExpired:
        # Signed by us, only old: its claim is genuine, and may ask for a fresh link.
        try:
            payload = signing.loads(token, salt=SALT)
        except signing.BadSignature:
            raise InvalidProof from None
        raise ExpiredProof(_claim(payload)) from None
    except signing.BadSignature:
        raise InvalidProof from None
