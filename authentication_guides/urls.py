"""The guide pages, under /guides/."""

from django.urls import path

from .views import editing, inspection, reading, workflow

app_name = "guides"

urlpatterns = [
    path("", reading.guide_list, name="list"),
    path("new/", editing.guide_create, name="create"),
    path("<int:pk>/", reading.guide_detail, name="detail"),
    path("<int:pk>/print/", reading.guide_print, name="print"),
    path("<int:pk>/versions/", reading.guide_versions, name="versions"),
    path("<int:pk>/edit/", editing.guide_edit, name="edit"),
    path("<int:pk>/delete/", editing.guide_delete, name="delete"),
    path("<int:pk>/translate/", editing.guide_translate, name="translate"),
    path("<int:pk>/indicators/new/", editing.indicator_add, name="indicator_add"),
    path("<int:pk>/indicators/<uuid:key>/edit/", editing.indicator_edit, name="indicator_edit"),
    path("<int:pk>/indicators/<uuid:key>/delete/", editing.indicator_delete, name="indicator_delete"),
    path(
        "<int:pk>/indicators/<uuid:key>/pictures/<uuid:picture_key>/delete/",
        editing.indicator_picture_delete,
        name="indicator_picture_delete",
    ),
    path("<int:pk>/submit/", workflow.guide_submit, name="submit"),
    path("<int:pk>/publish/", workflow.guide_publish, name="publish"),
    path("<int:pk>/archive/", workflow.guide_archive, name="archive"),
    path("<int:pk>/unpublish/", workflow.guide_unpublish, name="unpublish"),
    path("<int:pk>/check/", inspection.checklist_start, name="check"),
    path("<int:pk>/checks/<int:checklist_pk>/", inspection.checklist_detail, name="checklist"),
]

# The feedback loop and the usage statistics.
from .views import feedback, usage  # noqa: E402

urlpatterns += [
    path("<int:pk>/feedback/new/", feedback.feedback_new, name="feedback_new"),
    path("feedback/", feedback.feedback_queue, name="feedback_queue"),
    path("feedback/<int:fid>/answer/", feedback.feedback_answer, name="feedback_answer"),
    path("usage/", usage.usage_dashboard, name="usage"),
    path("<int:pk>/usage/", usage.usage_guide, name="guide_usage"),
]
