"""OpenAPI description of the job's status (a drf-spectacular extension).

Left to drf-spectacular, the job's `status` enum would be named after the field, like the other
"status" enums (organizations, people...), and collide with them. It gets its own component,
JobStatusEnum, without a settings entry.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent

from ..models import JobStatus


class JobStatusFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "jobs.api.serializers.JobStatusField"

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="JobStatusEnum",
            type=ResolvedComponent.SCHEMA,
            object="JobStatusEnum",
            schema={
                "type": "string",
                "enum": list(JobStatus.values),
                "description": "queued → running → succeeded or failed",
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
