"""The status a persona gets, written once for every permission-matrix test.

A test module describes who sees an object and who may change it; `Matrix.status` answers
what each persona gets, always in this order:

1. anonymous: pages send to the sign-in page (302), the API asks for credentials (401);
2. someone the endpoint does not serve at all (`admitted`; the moderation API for an officer,
   the new-guide page for a viewer): 403, before any object is looked up, so it tells nothing
   about the object;
3. someone who does not see the object: 404, never 403, they cannot tell it exists;
4. someone who sees it but may not do this: 403;
5. everyone else: the success code of the request (`ok`).

"Change" (`write=True`) is whatever the endpoint keeps to fewer people than those who see the
object: an edit, but also the owner's CSV export or an officer's inspection.

The standing personas and who they are to the shared fixtures (tests.brand_fixtures,
tests.test_guides_web_support) are named here too, so a module's table is only the sets.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

ANONYMOUS = "anonymous"

SIGN_IN = 302  # a page, to someone not signed in: the redirect to the sign-in page
UNAUTHENTICATED = 401  # the API, to someone without credentials

# The standing personas (tests/conftest.py); a module adds the coordinators where they matter.
PERSONAS = (
    "acme_admin",
    "acme_editor",
    "acme_viewer",
    "officer_fr",
    "officer_de",
    "other_rightholder",
    "platform_admin",
    ANONYMOUS,
)
SIGNED_IN = frozenset(PERSONAS) - {ANONYMOUS}
ACME_WRITERS = frozenset({"acme_admin", "acme_editor"})  # Acme's admin and editor
ACME_MEMBERS = ACME_WRITERS | {"acme_viewer"}
# Acme's brand_fr (visible to French administrations only), and a published guide of it.
BRAND_FR_READERS = ACME_MEMBERS | {"officer_fr", "platform_admin"}
# A guide of Acme's not published (yet, or any more): no officer sees it.
DRAFT_GUIDE_READERS = ACME_MEMBERS | {"platform_admin"}


@dataclass(frozen=True)
class Matrix:
    """Who sees an object (`readers`) and who may change it (`writers`), and what anonymous
    gets (`anonymous`: SIGN_IN for pages, UNAUTHENTICATED for the API). `admitted`, when
    given, is everyone the endpoint serves at all; anyone else signed in gets 403."""

    readers: Collection[str]
    writers: Collection[str]
    anonymous: int
    admitted: Collection[str] | None = None

    def __post_init__(self) -> None:
        # A writer who cannot see or reach what they write is a mistake in the table, not a rule.
        assert set(self.writers) <= set(self.readers), set(self.writers) - set(self.readers)
        if self.admitted is not None:
            assert set(self.writers) <= set(self.admitted), set(self.writers) - set(self.admitted)
        assert ANONYMOUS not in {*self.readers, *self.writers, *(self.admitted or ())}

    def status(self, persona: str, *, write: bool, ok: int = 200) -> int:
        """What `persona` gets for a read (`write=False`) or a change (`write=True`) that
        answers `ok` when allowed."""
        if persona == ANONYMOUS:
            return self.anonymous
        if self.admitted is not None and persona not in self.admitted:
            return 403
        if persona not in self.readers:
            return 404
        if write and persona not in self.writers:
            return 403
        return ok
