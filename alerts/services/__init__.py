"""Writes (and the few reads the other apps call) on alerts and cases. Views, the API, tasks and
the admin call these; they never change an alert's or a case's state themselves. The `require_*`
checks (and `message_side`) let a page or the API refuse someone before it reads the request's
body; the writes run them again."""

from .alerts import (
    alert_acknowledge,
    alert_create,
    alert_publish,
    alert_update,
    alert_withdraw,
    alerts_expire,
    alerts_for_home,
    require_alert_editor,
)
from .cases import (
    case_close,
    case_extend,
    case_message_post,
    case_open,
    case_photo_add,
    case_respond,
    cases_flag_overdue,
    cases_remind_deadline,
    message_side,
    require_case_answerer,
    require_case_handler,
    require_photo_writer,
)
from .coordination import (
    announce_hits as deconfliction_announce,
)
from .coordination import (
    case_coordinate,
    hit_mark_in_contact,
    operation_answer,
    operation_close,
    operation_create,
    operation_invite,
    operation_update,
    require_case_coordinator,
    require_operation_answerer,
    require_operation_lead,
)

__all__ = [
    "alert_acknowledge",
    "alert_create",
    "alert_publish",
    "alert_update",
    "alert_withdraw",
    "alerts_expire",
    "alerts_for_home",
    "case_close",
    "case_coordinate",
    "case_extend",
    "case_message_post",
    "case_open",
    "case_photo_add",
    "case_respond",
    "cases_flag_overdue",
    "cases_remind_deadline",
    "deconfliction_announce",
    "hit_mark_in_contact",
    "message_side",
    "operation_answer",
    "operation_close",
    "operation_create",
    "operation_invite",
    "operation_update",
    "require_alert_editor",
    "require_case_answerer",
    "require_case_coordinator",
    "require_case_handler",
    "require_operation_answerer",
    "require_operation_lead",
    "require_photo_writer",
]
