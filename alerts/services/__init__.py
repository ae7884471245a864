"""Writes (and the few reads the other apps call) on alerts and cases. Views, the API, tasks and
the admin call these; they never change an alert's or a case's state themselves."""

from .alerts import (
    alert_acknowledge,
    alert_create,
    alert_publish,
    alert_update,
    alert_withdraw,
    alerts_expire,
    alerts_for_home,
    can_write_alerts,
)
from .cases import (
    can_open_cases,
    case_close,
    case_extend,
    case_message_post,
    case_open,
    case_photo_add,
    case_respond,
    cases_flag_overdue,
    cases_remind_deadline,
)

__all__ = [
    "alert_acknowledge",
    "alert_create",
    "alert_publish",
    "alert_update",
    "alert_withdraw",
    "alerts_expire",
    "alerts_for_home",
    "can_open_cases",
    "can_write_alerts",
    "case_close",
    "case_extend",
    "case_message_post",
    "case_open",
    "case_photo_add",
    "case_respond",
    "cases_flag_overdue",
    "cases_remind_deadline",
]
