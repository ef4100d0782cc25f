"""SLA endpoints: the due-time preview, the same answer as `manage.py sla_preview`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ApiViewMixin
from sla.selectors import sla_preview


class SlaPreviewQuerySerializer(serializers.Serializer):
    """Shapes only: sla_preview decides what a valid tier, priority, time or zone is."""

    tier = serializers.CharField(max_length=10, help_text="Tier code, e.g. `5x8` or `7x24`.")
    priority = serializers.CharField(max_length=2, help_text="`P1` to `P4`.")
    opened_at = serializers.CharField(
        max_length=40, help_text="ISO 8601 date and time; without an offset it is local time."
    )
    timezone = serializers.CharField(max_length=64, help_text="IANA zone, e.g. Asia/Shanghai.")
    calendar = serializers.CharField(
        max_length=20, required=False, default="NONE", help_text="Holiday calendar code."
    )
    hours = serializers.CharField(
        max_length=300,
        required=False,
        default="",
        allow_blank=True,
        help_text="Agreed weekly hours, e.g. `mon-fri 09:00-12:00,mon-fri 13:30-18:00`.",
    )


class SlaPreviewSerializer(serializers.Serializer):
    tier = serializers.CharField()
    priority = serializers.CharField()
    timezone = serializers.CharField()
    clock_start = serializers.DateTimeField()
    due = serializers.DictField(
        child=serializers.DateTimeField(allow_null=True),
        help_text="Due time per metric (`response`, `restore`, `fix`); null: no such target.",
    )


class SlaPreviewView(ApiViewMixin, APIView):
    """When the clocks of a ticket opened at a given time would fall due."""

    @extend_schema(
        operation_id="sla_preview",
        summary="When the clocks of a ticket opened at a given time would fall due",
        parameters=[SlaPreviewQuerySerializer],
        responses={200: SlaPreviewSerializer},
        tags=["sla"],
    )
    def get(self, request):
        query = SlaPreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(sla_preview(**query.validated_data))
