"""Tickets endpoints: the caller's tickets with their SLA clocks, the thread, attachments (up and
down), the agreed resolution time, remote sessions, and support's actions. Serializers check
shapes; tickets.selectors scope what the caller sees; tickets.services decides, and its refusals
come back as 400 (403 for "not yours to do") with the reason."""

from django.db import connection
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from contracts.models import Contract, Product, ProductVersion
from contracts.selectors import contracts_for_user
from core.api import ApiViewMixin, IsStaff, UploadField
from core.files import private_file_response
from core.parsers import SafeJSONParser
from sla.models import Channel, Metric, Priority
from tickets.api_rows import ticket_rows
from tickets.filters import TicketFilterSet
from tickets.models import (
    Agreement,
    AgreementStatus,
    Attachment,
    Message,
    RemoteSession,
    SlaState,
    Ticket,
)
from tickets.selectors import (
    attachment_get_for_user,
    attachments_for_user,
    messages_for_user,
    remote_sessions_for_user,
    ticket_get_for_user,
    tickets_for_user,
)
from tickets.services import (
    agreement_accept,
    agreement_decline,
    agreement_propose,
    attachment_add,
    message_post,
    remote_session_record,
    remote_session_request,
    ticket_downgrade,
    ticket_open,
    ticket_resolve,
    ticket_restore,
)
from tickets.sla.summary import clock_summary

# --- output -----------------------------------------------------------------------------------

ClockSchema = inline_serializer(
    "Clock",
    {
        # SlaState's values, listed in another order on purpose: the same choice set as the
        # ticket's `sla_state` would otherwise get two enum names in the schema (a warning).
        "state": serializers.ChoiceField(
            choices=["running", "at_risk", "breached", "paused", "met", "not_applicable"]
        ),
        "due_at": serializers.DateTimeField(allow_null=True),
        "met_at": serializers.DateTimeField(allow_null=True),
    },
    allow_null=True,
)


@extend_schema_field(
    inline_serializer(
        "TicketSla",
        dict.fromkeys(Metric.values, ClockSchema),
        help_text="One clock per metric; null where the tier has no such target.",
    )
)
class SlaField(serializers.Field):
    """The ticket's response, restore and fix clocks: state (at_risk and breached as the ticket
    list shows them), due and met times; null for a metric without a target."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, ticket):
        now = self.context.get("now") or timezone.now()
        clocks = {clock.metric: clock for clock in ticket.clocks.all()}
        sla = {}
        for metric in Metric.values:
            clock = clocks.get(metric)
            if clock is None or (clock.state == SlaState.NOT_APPLICABLE and clock.due_at is None):
                sla[metric] = None
                continue
            sla[metric] = {
                "state": clock_summary(clock, now),
                "due_at": _datetime(clock.due_at),
                "met_at": _datetime(clock.met_at),
            }
        return sla


def _datetime(value):
    return serializers.DateTimeField().to_representation(value) if value else None


class UserNameField(serializers.CharField):
    """A person as others see them: the full name, or the e-mail address."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, user):
        return (user.get_full_name() or user.email) if user else None


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = UserNameField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "message", "uploaded_by", "uploaded_at"]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    proposed_by = UserNameField()
    decided_by = UserNameField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "due_at",
            "reason",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "written_consent",
        ]
        read_only_fields = fields


# The views build this JSON with tickets.api_rows.ticket_rows, without the per-field work;
# tests/api/test_ticket_output.py holds the two to the same output (a field added here fails it
# until ticket_rows has it). The docstring is the schema component's description.
class TicketSerializer(serializers.ModelSerializer):
    """One shape for the list and the detail (one schema component, one set of prefetches)."""

    contract = serializers.CharField(source="contract.number", read_only=True)
    customer = serializers.CharField(source="contract.customer.name_en", read_only=True)
    tier = serializers.CharField(source="contract.tier.code", read_only=True)
    product = serializers.CharField(source="product.code", read_only=True)
    version = serializers.CharField(source="version.name", read_only=True)
    # Plain text: the same choice set as `priority` would otherwise get a second enum name.
    original_priority = serializers.CharField(read_only=True, help_text="`P1` to `P4`.")
    reporter = UserNameField()
    assignee = UserNameField()
    sla = SlaField()
    attachments = serializers.SerializerMethodField()
    agreements = AgreementSerializer(many=True, read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "subject",
            "contract",
            "customer",
            "tier",
            "product",
            "version",
            "priority",
            "original_priority",
            "status",
            "channel",
            "reporter",
            "assignee",
            "opened_at",
            "first_response_at",
            "restored_at",
            "resolved_at",
            "closed_at",
            "next_due_at",
            "sla_state",
            "sla",
            "description",
            "environment",
            "on_duty_name",
            "on_duty_phone",
            "unmodified_build",
            "unsupported_build",
            "fix_target",
            "attachments",
            "agreements",
        ]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, ticket):
        # Only what the caller may download: prefetched by ticket_prefetch, else asked for.
        if "attachments" in getattr(ticket, "_prefetched_objects_cache", {}):
            attachments = ticket.attachments.all()
        else:
            user = self.context["request"].user
            attachments = attachments_for_user(user).filter(ticket=ticket)
        return AttachmentSerializer(attachments, many=True, context=self.context).data


def ticket_prefetch(user) -> list:
    """What TicketSerializer reads besides the selector's select_related: three queries for a
    page of any size (the views read tickets.api_rows instead)."""
    return [
        "clocks",
        Prefetch("attachments", attachments_for_user(user).select_related("uploaded_by")),
        Prefetch("agreements", Agreement.objects.select_related("proposed_by", "decided_by")),
    ]


class MessageSerializer(serializers.ModelSerializer):
    author = UserNameField()
    author_is_staff = serializers.BooleanField(source="author.is_staff", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "kind",
            "public",
            "body",
            "author",
            "author_is_staff",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields


class RemoteSessionSerializer(serializers.ModelSerializer):
    requested_by = UserNameField()
    engineer = UserNameField()

    class Meta:
        model = RemoteSession
        fields = [
            "id",
            "status",
            "starts_at",
            "duration_minutes",
            "project_context",
            "requested_by",
            "requested_at",
            "engineer",
            "next_steps",
            "follow_up",
            "recorded_at",
        ]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------------


class TicketOpenSerializer(serializers.Serializer):
    """The keyword arguments of ticket_open. Codes become objects here; whether the caller may
    open this ticket (contract, product, version, channel, on-duty contact, build) is the
    entitlement and ticket services' decision."""

    contract = serializers.SlugRelatedField(
        slug_field="number", queryset=Contract.objects.none(), help_text="Contract number."
    )
    product = serializers.SlugRelatedField(
        slug_field="code", queryset=Product.objects.all(), help_text="Product code."
    )
    version = serializers.CharField(max_length=30, help_text="Version name, e.g. `5.9`.")
    priority = serializers.ChoiceField(choices=Priority.choices)
    subject = serializers.CharField(max_length=200, allow_blank=True)
    description = serializers.CharField(max_length=100_000, allow_blank=True)
    environment = serializers.CharField(
        max_length=100_000, required=False, default="", allow_blank=True
    )
    unmodified_build = serializers.BooleanField(
        default=False, help_text="I declare the software is neither modified nor recompiled."
    )
    on_duty_name = serializers.CharField(
        max_length=150, required=False, default="", allow_blank=True, help_text="7x24 only."
    )
    on_duty_phone = serializers.CharField(
        max_length=40, required=False, default="", allow_blank=True, help_text="7x24 only."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = request.user if request else None
        self.fields["contract"].queryset = contracts_for_user(user)

    def validate(self, attrs):
        version = ProductVersion.objects.filter(
            product=attrs["product"], name=attrs["version"]
        ).first()
        if version is None:
            raise serializers.ValidationError(
                {
                    "version": _("%(product)s has no version %(version)s.")
                    % {"product": attrs["product"].name, "version": attrs["version"]}
                }
            )
        attrs["version"] = version
        return attrs


class MessagePostSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=100_000, allow_blank=True)
    public = serializers.BooleanField(
        default=True, help_text="False: an internal note (support staff only)."
    )


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=100_000, allow_blank=True)


def _internal_note():
    return serializers.CharField(
        max_length=10_000,
        required=False,
        default="",
        allow_blank=True,
        help_text="Support staff only: kept in the ticket's history for staff, never shown to "
        "the customer (portal, API, e-mail).",
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=10_000,
        required=False,
        default="",
        allow_blank=True,
        help_text="The message to the customer (history, portal, e-mail).",
    )
    internal_note = _internal_note()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=10_000,
        allow_blank=True,
        help_text="The message to the customer (history, portal, e-mail).",
    )
    internal_note = _internal_note()


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=10_000, required=False, default="", allow_blank=True)


class ProposalSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(help_text="The proposed resolution time (with offset).")
    reason = serializers.CharField(max_length=10_000, allow_blank=True)


class AcceptSerializer(serializers.Serializer):
    written_consent = serializers.BooleanField(
        default=False,
        help_text="Support staff: record the customer's written consent on their behalf.",
    )


class AttachmentUploadSerializer(serializers.Serializer):
    file = UploadField(help_text="A log or archive (.log, .txt, .zip, .tar.gz, ...).")


class RemoteSessionRequestSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(
        help_text="When the session starts (with offset); inside the contract's service hours."
    )
    project_context = serializers.CharField(
        max_length=10_000,
        allow_blank=True,
        help_text="The project: deployment, versions, what is failing.",
    )
    duration_minutes = serializers.IntegerField(
        default=30, help_text="30 minutes unless agreed otherwise."
    )


class RemoteSessionRecordSerializer(serializers.Serializer):
    next_steps = serializers.CharField(max_length=10_000, allow_blank=True)
    follow_up = serializers.CharField(
        max_length=10_000, required=False, default="", allow_blank=True
    )


# --- views ------------------------------------------------------------------------------------

TICKET_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Ticket number.")
ATTACHMENT_ID = OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)
SESSION_ID = OpenApiParameter("session_id", int, OpenApiParameter.PATH)
JSON_PARSERS = [SafeJSONParser, FormParser, MultiPartParser]


def _parse(serializer_class, request, **kwargs):
    data = serializer_class(data=request.data, context={"request": request}, **kwargs)
    data.is_valid(raise_exception=True)
    return data.validated_data


def ticket_action(**kwargs):
    """An extra route on one ticket (`/tickets/{id}/...`): no list filters, no pagination."""
    return action(detail=True, filter_backends=[], pagination_class=None, **kwargs)


@extend_schema_view(
    list=extend_schema(summary="Tickets the caller may see", tags=["tickets"]),
    retrieve=extend_schema(
        summary="One ticket", parameters=[TICKET_ID], responses=TicketSerializer
    ),
    create=extend_schema(
        summary="Open a ticket",
        request=TicketOpenSerializer,
        responses={201: TicketSerializer},
    ),
)
@extend_schema(tags=["tickets"])
class TicketViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Customers see their organisation's tickets, partners (read only) those on contracts
    they sold, staff all; another organisation's ticket is 404."""

    serializer_class = TicketSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketFilterSet
    lookup_value_regex = "[0-9]+"
    parser_classes = JSON_PARSERS
    queryset = Ticket.objects.none()  # for the schema; get_queryset scopes to the caller

    def get_queryset(self):
        return tickets_for_user(self.request.user).prefetch_related(
            *ticket_prefetch(self.request.user)
        )

    def get_object(self):
        return ticket_get_for_user(self.request.user, self.kwargs["pk"])

    def list(self, request, *args, **kwargs):
        """A page of ids first (scope, filters and order on the ticket table and its indexes,
        no join), then those rows with what the serializer reads: the caller's whole list is
        never joined to seven tables and sorted."""
        # (The docstring is the operation's description in the schema.) The rows are built by
        # tickets.api_rows, as TicketSerializer describes them.
        user = request.user
        ids = self.filter_queryset(tickets_for_user(user).select_related(None))
        ids = ids.values_list("pk", flat=True)
        if not ids.query.order_by:
            ids = ids.order_by(*Ticket._meta.ordering, "-pk")
        page = self.paginate_queryset(ids)
        pks = list(page if page is not None else ids)
        data = ticket_rows(user, pks, now=timezone.now())
        return self.get_paginated_response(data) if page is not None else Response(data)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def _detail(self, ticket, status_code=status.HTTP_200_OK):
        # Re-read through the selector: the services return the locked row as they changed it.
        return self._ticket_response(ticket.pk, status_code)

    def _ticket_response(self, pk: int, status_code=status.HTTP_200_OK):
        """The ticket as the caller sees it, or 404 (ticket_rows scopes as the selectors do)."""
        rows = ticket_rows(self.request.user, [pk], now=timezone.now())
        if not rows:
            raise Http404
        return Response(rows[0], status=status_code)

    def retrieve(self, request, *args, **kwargs):
        # No get_object first: the one read of the rows answers 404 for a ticket not theirs,
        # and an id no ticket can have (past the key's range) is 404 without asking.
        pk = int(self.kwargs["pk"])
        low, high = connection.ops.integer_field_range(Ticket._meta.pk.get_internal_type())
        if not low <= pk <= high:
            raise Http404
        return self._ticket_response(pk)

    def create(self, request, *args, **kwargs):
        data = _parse(TicketOpenSerializer, request)
        # A ticket opened through the API came in by the API: the client does not choose.
        ticket = ticket_open(reporter=request.user, channel=Channel.API, now=timezone.now(), **data)
        return self._detail(ticket, status.HTTP_201_CREATED)

    # The thread -------------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="The ticket's messages (customers see public ones only)",
        parameters=[TICKET_ID],
        responses={200: MessageSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Reply, or (support staff) write an internal note",
        parameters=[TICKET_ID],
        request=MessagePostSerializer,
        responses={201: MessageSerializer},
    )
    @ticket_action(methods=["get", "post"])
    def messages(self, request, pk=None):
        ticket = self.get_object()
        if request.method == "GET":
            messages = (
                messages_for_user(request.user, ticket)
                .select_related("author")
                .prefetch_related("attachments__uploaded_by")
            )
            return Response(MessageSerializer(messages, many=True).data)
        data = _parse(MessagePostSerializer, request)
        message = message_post(ticket=ticket, author=request.user, now=timezone.now(), **data)
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Upload a log or archive",
        parameters=[TICKET_ID],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    )
    @ticket_action(methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        ticket = self.get_object()
        data = _parse(AttachmentUploadSerializer, request)
        attachment = attachment_add(
            ticket=ticket, file=data["file"], by=request.user, now=timezone.now()
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download an attachment",
        description="The file itself, as an attachment. Customers and partners get the files of "
        "the ticket and of its public messages; an internal note's files are 404 for them.",
        parameters=[TICKET_ID, ATTACHMENT_ID],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file; its name in Content-Disposition."
            )
        },
    )
    @ticket_action(
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        url_name="attachment-download",
    )
    def attachment_download(self, request, pk=None, attachment_id=None):
        attachment = attachment_get_for_user(request.user, attachment_id, ticket_pk=pk)
        # The type is in the ticket's attachment list; a browser must not render the file.
        return private_file_response(attachment.file, filename=attachment.name)

    def perform_content_negotiation(self, request, force=False):
        # A download answers with the file whatever the Accept header asks; its errors are JSON.
        return super().perform_content_negotiation(
            request, force=force or self.action == "attachment_download"
        )

    # Remote sessions ---------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="The ticket's remote sessions, with the engineer's next steps",
        parameters=[TICKET_ID],
        responses={200: RemoteSessionSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Request a remote session inside the contract's service hours",
        parameters=[TICKET_ID],
        request=RemoteSessionRequestSerializer,
        responses={201: RemoteSessionSerializer},
    )
    @ticket_action(methods=["get", "post"], url_path="remote-sessions", url_name="remote-sessions")
    def remote_sessions(self, request, pk=None):
        ticket = self.get_object()
        if request.method == "GET":
            sessions = remote_sessions_for_user(request.user).filter(ticket=ticket)
            return Response(RemoteSessionSerializer(sessions, many=True).data)
        data = _parse(RemoteSessionRequestSerializer, request)
        session = remote_session_request(ticket=ticket, by=request.user, now=timezone.now(), **data)
        return Response(RemoteSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Support: record a session's next steps and planned follow-up",
        parameters=[TICKET_ID, SESSION_ID],
        request=RemoteSessionRecordSerializer,
        responses={200: RemoteSessionSerializer},
    )
    @ticket_action(
        methods=["post"],
        url_path=r"remote-sessions/(?P<session_id>[0-9]+)/record",
        url_name="remote-session-record",
        permission_classes=[IsStaff],
    )
    def remote_session_record(self, request, pk=None, session_id=None):
        session = get_object_or_404(
            remote_sessions_for_user(request.user), pk=session_id, ticket__pk=pk
        )
        data = _parse(RemoteSessionRecordSerializer, request)
        session = remote_session_record(
            session=session, by=request.user, now=timezone.now(), **data
        )
        return Response(RemoteSessionSerializer(session).data)

    # The customer's answer to a proposed resolution time ---------------------------------------

    def _open_proposal(self, ticket) -> Agreement:
        proposal = ticket.agreements.filter(status=AgreementStatus.PROPOSED).first()
        if proposal is None:
            raise Http404
        return proposal

    @extend_schema(
        summary="Accept the proposed resolution time",
        parameters=[TICKET_ID],
        request=AcceptSerializer,
        responses={200: AgreementSerializer},
    )
    @ticket_action(methods=["post"], url_path="agreement/accept")
    def agreement_accept(self, request, pk=None):
        proposal = self._open_proposal(self.get_object())
        data = _parse(AcceptSerializer, request)
        agreement = agreement_accept(
            agreement=proposal, by=request.user, now=timezone.now(), **data
        )
        return Response(AgreementSerializer(agreement).data)

    @extend_schema(
        summary="Decline the proposed resolution time",
        parameters=[TICKET_ID],
        request=OptionalReasonSerializer,
        responses={200: AgreementSerializer},
    )
    @ticket_action(methods=["post"], url_path="agreement/decline")
    def agreement_decline(self, request, pk=None):
        proposal = self._open_proposal(self.get_object())
        data = _parse(OptionalReasonSerializer, request)
        agreement = agreement_decline(
            agreement=proposal, by=request.user, now=timezone.now(), **data
        )
        return Response(AgreementSerializer(agreement).data)

    # Support staff only -------------------------------------------------------------------------

    @extend_schema(
        summary="Support: a public reply (the first one meets the response clock)",
        parameters=[TICKET_ID],
        request=ReplySerializer,
        responses={201: MessageSerializer},
    )
    @ticket_action(methods=["post"], permission_classes=[IsStaff])
    def respond(self, request, pk=None):
        ticket = self.get_object()
        data = _parse(ReplySerializer, request)
        message = message_post(
            ticket=ticket, author=request.user, public=True, now=timezone.now(), **data
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Support: service restored or a workaround in place",
        parameters=[TICKET_ID],
        request=NoteSerializer,
        responses={200: TicketSerializer},
    )
    @ticket_action(methods=["post"], permission_classes=[IsStaff])
    def restore(self, request, pk=None):
        ticket = self.get_object()
        data = _parse(NoteSerializer, request)
        return self._detail(
            ticket_restore(ticket=ticket, by=request.user, now=timezone.now(), **data)
        )

    @extend_schema(
        summary="Support: the permanent fix is delivered",
        parameters=[TICKET_ID],
        request=NoteSerializer,
        responses={200: TicketSerializer},
    )
    @ticket_action(methods=["post"], permission_classes=[IsStaff])
    def resolve(self, request, pk=None):
        ticket = self.get_object()
        data = _parse(NoteSerializer, request)
        return self._detail(
            ticket_resolve(ticket=ticket, by=request.user, now=timezone.now(), **data)
        )

    @extend_schema(
        summary="Support: lower the priority by one level, with a reason",
        parameters=[TICKET_ID],
        request=ReasonSerializer,
        responses={200: TicketSerializer},
    )
    @ticket_action(methods=["post"], permission_classes=[IsStaff])
    def downgrade(self, request, pk=None):
        ticket = self.get_object()
        data = _parse(ReasonSerializer, request)
        return self._detail(
            ticket_downgrade(ticket=ticket, by=request.user, now=timezone.now(), **data)
        )

    @extend_schema(
        summary="Support: propose a resolution time for the customer to accept",
        parameters=[TICKET_ID],
        request=ProposalSerializer,
        responses={201: AgreementSerializer},
    )
    @ticket_action(methods=["post"], url_path="propose-agreement", permission_classes=[IsStaff])
    def propose_agreement(self, request, pk=None):
        ticket = self.get_object()
        data = _parse(ProposalSerializer, request)
        agreement = agreement_propose(ticket=ticket, by=request.user, now=timezone.now(), **data)
        return Response(AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)
