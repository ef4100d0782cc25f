"""Contracts endpoints: the caller's contracts, their named support contacts, and the partner
area's subscription registrations. Serializers check shapes; contracts.services decides."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from contracts.filters import ContractFilter
from contracts.models import (
    Contract,
    Customer,
    LicenceType,
    PartnerRegistration,
    Product,
    SupportContact,
)
from contracts.selectors import contacts_for_user, contracts_for_user, registrations_for_user
from contracts.services import contact_add, contact_remove, registration_submit
from core.api import ApiViewMixin, IsPartnerUser, UploadField
from sla.models import HolidayCalendar, Tier

NUMBER_PATTERN = r"[^/]+"


class ProductRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["code", "name"]


class TierRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["code", "name", "max_named_contacts", "channels"]

    channels = serializers.ListField(child=serializers.CharField(), read_only=True)


class CustomerRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name_en", "name_zh"]


class ContractSerializer(serializers.ModelSerializer):
    customer = CustomerRefSerializer(read_only=True)
    products = ProductRefSerializer(many=True, read_only=True)
    tier = TierRefSerializer(read_only=True)
    calendar = serializers.CharField(source="calendar.code", read_only=True)
    sold_by = serializers.CharField(source="sold_by.name", read_only=True, allow_null=True)
    service_hours = serializers.CharField(
        read_only=True,
        help_text="Weekly local hours that count for SLA clocks; empty: always open.",
    )

    class Meta:
        model = Contract
        fields = [
            "number",
            "customer",
            "products",
            "tier",
            "licence_type",
            "licence_number",
            "starts_on",
            "ends_on",
            "timezone",
            "calendar",
            "service_hours",
            "sold_by",
            "status",
        ]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer):
    user_email = serializers.EmailField(source="user.email", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)

    class Meta:
        model = SupportContact
        fields = [
            "id",
            "user_email",
            "first_name",
            "last_name",
            "email",
            "phone",
            "qq",
            "wechat",
            "skype",
            "added_at",
        ]
        read_only_fields = fields


class ContactAddSerializer(serializers.Serializer):
    """The keyword arguments of contact_add, as the portal's SupportContactForm has them."""

    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150, required=False, default="")
    last_name = serializers.CharField(max_length=150, required=False, default="")
    phone = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    qq = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    wechat = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    skype = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary="Contracts the caller may see", tags=["contracts"]),
    retrieve=extend_schema(summary="One contract, by its number", tags=["contracts"]),
)
class ContractViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Customers see their organisation's contracts, partners those they sold, staff all."""

    serializer_class = ContractSerializer
    lookup_field = "number"
    lookup_value_regex = NUMBER_PATTERN
    filter_backends = [DjangoFilterBackend]
    filterset_class = ContractFilter
    queryset = Contract.objects.none()  # for the schema; get_queryset scopes to the caller

    def get_queryset(self):
        return contracts_for_user(self.request.user).prefetch_related("products")

    def get_object(self):
        # By number within the caller's scope only: the list's filters do not apply here.
        return get_object_or_404(self.get_queryset(), number=self.kwargs["number"])

    @extend_schema(
        methods=["GET"],
        summary="Named support contacts of a contract",
        responses={200: ContactSerializer(many=True)},
        tags=["contracts"],
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a named support contact (within the tier's cap)",
        request=ContactAddSerializer,
        responses={201: ContactSerializer},
        tags=["contracts"],
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def contacts(self, request, number=None):
        contract = self.get_object()
        if request.method == "GET":
            contacts = contacts_for_user(request.user).filter(contract=contract)
            return Response(ContactSerializer(contacts, many=True).data)
        data = ContactAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = contact_add(
            contract=contract, added_by=request.user, now=timezone.now(), **data.validated_data
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove a named support contact",
        parameters=[OpenApiParameter("contact_id", int, OpenApiParameter.PATH)],
        request=None,
        responses={204: None},
        tags=["contracts"],
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"contacts/(?P<contact_id>[0-9]+)",
        url_name="contact-detail",
        filter_backends=[],
        pagination_class=None,
    )
    def contact_remove(self, request, number=None, contact_id=None):
        contact = get_object_or_404(
            contacts_for_user(request.user), pk=contact_id, contract__number=number
        )
        contact_remove(contact=contact, removed_by=request.user, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegistrationSerializer(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract.number", read_only=True)
    contract_status = serializers.CharField(source="contract.status", read_only=True)
    customer = CustomerRefSerializer(source="contract.customer", read_only=True)
    tier = serializers.CharField(source="contract.tier.code", read_only=True)
    products = ProductRefSerializer(source="contract.products", many=True, read_only=True)
    starts_on = serializers.DateField(source="contract.starts_on", read_only=True)
    ends_on = serializers.DateField(source="contract.ends_on", read_only=True)

    class Meta:
        model = PartnerRegistration
        fields = [
            "id",
            "contract",
            "contract_status",
            "customer",
            "customer_is_new",
            "tier",
            "products",
            "starts_on",
            "ends_on",
            "contact_name",
            "contact_email",
            "contact_phone",
            "status",
            "submitted_at",
            "decided_at",
            "rejection_reason",
        ]
        read_only_fields = fields


class RegistrationSubmitSerializer(serializers.Serializer):
    """The keyword arguments of registration_submit; codes are turned into objects here, every
    rule about them (whose customer, which products, which term) is the service's."""

    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="One of the customers you registered before; or name a new one.",
    )
    customer_name_en = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    customer_name_zh = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    country = serializers.CharField(max_length=2, required=False, default="CN")
    products = serializers.SlugRelatedField(
        slug_field="code", queryset=Product.objects.all(), many=True, help_text="Product codes."
    )
    tier = serializers.SlugRelatedField(slug_field="code", queryset=Tier.objects.all())
    licence_type = serializers.ChoiceField(choices=LicenceType.choices)
    contract_number = serializers.CharField(max_length=50)
    licence_number = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    timezone = serializers.CharField(max_length=64, help_text="IANA zone of the contract.")
    calendar = serializers.SlugRelatedField(
        slug_field="code", queryset=HolidayCalendar.objects.all()
    )
    proof = UploadField(help_text="The signed contract or order: PDF, PNG or JPEG.")
    contact_name = serializers.CharField(max_length=150)
    contact_email = serializers.EmailField(max_length=254)
    contact_phone = serializers.CharField(
        max_length=40, required=False, default="", allow_blank=True
    )


@extend_schema_view(
    list=extend_schema(summary="Subscriptions your partner registered", tags=["partner"]),
    create=extend_schema(
        summary="Register a resold subscription, with proof",
        request={"multipart/form-data": RegistrationSubmitSerializer},
        responses={201: RegistrationSerializer},
        tags=["partner"],
    ),
)
class PartnerSubscriptionViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The partner area: users of a partner only."""

    permission_classes = [IsPartnerUser]
    serializer_class = RegistrationSerializer
    parser_classes = [MultiPartParser, FormParser]
    queryset = PartnerRegistration.objects.none()  # for the schema

    def get_queryset(self):
        return registrations_for_user(self.request.user).prefetch_related("contract__products")

    def create(self, request, *args, **kwargs):
        data = RegistrationSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = registration_submit(
            user=request.user, now=timezone.now(), **data.validated_data
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)
