from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Job, JobStatus
from ..progress import ProgressSnapshot, read_progress


class JobStatusField(serializers.ChoiceField):
    """The job's status; in the schema, the JobStatusEnum component (jobs.api.schema)."""

    def __init__(self, **kwargs):
        super().__init__(choices=JobStatus.choices, read_only=True, **kwargs)


class JobErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True, help_text="Row as seen in a spreadsheet (the header is row 1); null: the whole file."
    )
    column = serializers.CharField(allow_blank=True, help_text="Normalized column name; empty: the whole row.")
    message = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    processed = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True, help_text="0 to 100; null while the total is unknown.")


class JobSerializer(serializers.ModelSerializer):
    """A job with its progress (live while it runs), row errors and result. Pass the progress
    of many jobs at once in the context ("progress": {job.pk: ProgressSnapshot}) to read the
    cache once per page."""

    status = JobStatusField()
    progress = serializers.SerializerMethodField()
    errors = JobErrorSerializer(many=True, read_only=True)
    result = serializers.JSONField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "errors",
            "error_count",
            "result",
            "created",
            "started",
            "finished",
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, job: Job) -> dict:
        snapshot = self.context.get("progress", {}).get(job.pk) or read_progress(job)
        return progress_body(job, snapshot)


class JobListSerializer(JobSerializer):
    """A job in a list: the same without its row errors (error_count says how many; GET the job
    to read them)."""

    class Meta(JobSerializer.Meta):
        fields = [name for name in JobSerializer.Meta.fields if name != "errors"]
        read_only_fields = fields


def progress_body(job: Job, snapshot: ProgressSnapshot) -> dict:
    percent = snapshot.percent
    if job.status == JobStatus.SUCCEEDED:
        percent = 100
    return {"processed": snapshot.processed, "total": snapshot.total, "percent": percent}
