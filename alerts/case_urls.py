"""The case pages, under /cases/."""

from django.urls import path

from .views import cases

app_name = "cases"

urlpatterns = [
    path("", cases.case_list, name="list"),
    path("open/", cases.case_create, name="create"),
    path("<int:pk>/", cases.case_detail, name="detail"),
    path("<int:pk>/respond/", cases.case_respond, name="respond"),
    path("<int:pk>/extend/", cases.case_extend, name="extend"),
    path("<int:pk>/close/", cases.case_close, name="close"),
    path("<int:pk>/messages/", cases.case_message, name="message"),
    path("<int:pk>/photos/", cases.case_photo, name="photo"),
    path("<int:pk>/photos/<int:photo_pk>/", cases.case_photo_file, name="photo_file"),
    path("<int:pk>/messages/<int:message_pk>/attachment/", cases.case_attachment_file, name="attachment"),
    path("<int:pk>/subjects/", cases.case_subjects, name="subjects"),
    path("<int:pk>/deconfliction/<int:hit_id>/in-contact/", cases.case_hit_contact, name="hit_contact"),
]
