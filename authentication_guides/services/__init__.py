"""Writes on authentication guides: drafting, the workflow, moderation and what officers send
back. Views, the API and the demo call these; they never change a guide themselves.

Only the brand owner's admins and editors write (PermissionDenied otherwise); platform admins
unpublish. Every publication, archiving and unpublishing is written to the audit log.
"""

from ..selectors import guide_usage, version_diff
from .common import _editable_guide as _editable_guide
from .guides import guide_create, guide_delete, guide_update, open_version
from .indicators import (
    indicator_add,
    indicator_delete,
    indicator_picture_add,
    indicator_picture_delete,
    indicator_update,
)
from .officers import checklist_record, conclude, feedback_answer, feedback_send, guide_view_record
from .workflow import guide_archive, guide_publish, guide_submit, guide_unpublish

__all__ = [
    "checklist_record",
    "conclude",
    "feedback_answer",
    "feedback_send",
    "guide_archive",
    "guide_create",
    "guide_delete",
    "guide_publish",
    "guide_submit",
    "guide_unpublish",
    "guide_update",
    "guide_usage",
    "guide_view_record",
    "indicator_add",
    "indicator_delete",
    "indicator_picture_add",
    "indicator_picture_delete",
    "indicator_update",
    "open_version",
    "version_diff",
]
