"""Input and output shapes of the guest endpoints."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from guests.models import DocumentType, Gender, GuestProfile, GuestStatus, GuestType
from hotelcrm.api.query import StrictQuerySerializer

PLAIN_FIELDS = [
    "family_name",
    "given_name",
    "native_name",
    "title",
    "gender",
    "nationality",
    "preferred_language",
    "company",
    "position",
    "occupation",
    "guest_type",
    "vip_level",
    "consent_email",
    "consent_sms",
    "consent_phone",
    "do_not_contact",
]


class GuestOutputSerializer(serializers.ModelSerializer):
    is_masked = serializers.SerializerMethodField(help_text="Always false here; see GuestMasked.")

    class Meta:
        model = GuestProfile
        fields = [
            "id",
            "is_masked",
            *PLAIN_FIELDS,
            "languages",
            "status",
            "is_confidential",
            "pms_profile_id",
            "created_at",
            "updated_at",
        ]

    def get_is_masked(self, obj) -> bool:
        return False


class GuestMaskedSerializer(serializers.Serializer):
    """A confidential profile the caller may not open: its id only."""

    # Required, and nothing else (hotelcrm.api.schema closes the object), so a guest answer
    # matches exactly one branch of GuestOrMasked's oneOf.
    id = serializers.IntegerField()
    is_masked = serializers.BooleanField()
    is_confidential = serializers.BooleanField()


class GuestMergedSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The id asked for: this profile was merged away.")
    merged_into = serializers.IntegerField(help_text="The id of the profile it now lives on.")
    location = serializers.CharField(help_text="The URL of that profile.")


GUEST_OR_MASKED = PolymorphicProxySerializer(
    component_name="GuestOrMasked",
    serializers=[GuestOutputSerializer, GuestMaskedSerializer],
    resource_type_field_name=None,
)
# Confidential profiles the caller may not open come masked: {id, is_masked: true, is_confidential: true}.
GUEST_OR_MASKED_LIST = PolymorphicProxySerializer(
    component_name="GuestOrMasked",
    serializers=[GuestOutputSerializer, GuestMaskedSerializer],
    resource_type_field_name=None,
    many=True,
)


def guest_output(guest, openable_ids):
    if guest.pk in openable_ids:
        return GuestOutputSerializer(guest).data
    return {"id": guest.pk, "is_masked": True, "is_confidential": True}


class GuestUpdateInputSerializer(serializers.Serializer):
    family_name = serializers.CharField(max_length=100, required=False)
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    native_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    title = serializers.CharField(max_length=30, required=False, allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    nationality = serializers.CharField(
        max_length=3,
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2 or alpha-3 code (PT or PRT, any case); stored and returned as alpha-2.",
    )
    preferred_language = serializers.CharField(max_length=10, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    position = serializers.CharField(max_length=120, required=False, allow_blank=True)
    occupation = serializers.CharField(max_length=120, required=False, allow_blank=True)
    guest_type = serializers.ChoiceField(choices=GuestType.choices, required=False, allow_blank=True)
    vip_level = serializers.IntegerField(min_value=0, max_value=5, required=False)
    consent_email = serializers.BooleanField(required=False)
    consent_sms = serializers.BooleanField(required=False)
    consent_phone = serializers.BooleanField(required=False)
    do_not_contact = serializers.BooleanField(required=False)

    def validate_nationality(self, value):
        from django.core.exceptions import ValidationError as DjangoValidationError

        from guests.validators import normalise_nationality

        try:
            return normalise_nationality(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate_family_name(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("This field may not be blank."))
        return value.strip()


class GuestUpsertInputSerializer(GuestUpdateInputSerializer):
    pms_profile_id = serializers.CharField(max_length=64, help_text="The profile id in this hotel's PMS.")
    email = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        help_text="Added to the guest's contacts (write-only; never returned).",
    )
    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="Added to the guest's contacts (write-only; never returned).",
    )

    def validate_pms_profile_id(self, value):
        value = value.strip()
        if not value or not value.isprintable():
            raise serializers.ValidationError(_("Send the PMS profile id as printable text."))
        return value


class GuestLookupQuerySerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254, required=False)
    phone = serializers.CharField(max_length=40, required=False)
    document_number = serializers.CharField(max_length=40, required=False)
    document_type = serializers.ChoiceField(choices=DocumentType.choices, required=False, default=DocumentType.PASSPORT)
    member_number = serializers.CharField(max_length=40, required=False)
    pms_profile_id = serializers.CharField(max_length=64, required=False)

    def validate(self, data):
        given = [
            name for name in ("email", "phone", "document_number", "member_number", "pms_profile_id") if data.get(name)
        ]
        if len(given) != 1:
            raise serializers.ValidationError(
                _("Give exactly one of email, phone, document_number, member_number or pms_profile_id.")
            )
        return data


class GuestLookupGetQuerySerializer(StrictQuerySerializer):
    """The look-up's URL form: keys that are not personal data only (the rest go in a POST body)."""

    member_number = serializers.CharField(max_length=40, required=False)
    pms_profile_id = serializers.CharField(max_length=64, required=False)

    def validate(self, data):
        if len([name for name in ("member_number", "pms_profile_id") if data.get(name)]) != 1:
            raise serializers.ValidationError(_("Give exactly one of member_number or pms_profile_id."))
        return data


class GuestListQuerySerializer(StrictQuerySerializer):
    q = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Name, as in the guest search."
    )
    status = serializers.ChoiceField(choices=GuestStatus.choices, required=False)
    vip_level_min = serializers.IntegerField(min_value=0, max_value=5, required=False)
    updated_since = serializers.DateTimeField(required=False)


class GuestPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page's URL (carries the cursor), or null.")
    previous = serializers.URLField(allow_null=True)
    results = GUEST_OR_MASKED_LIST


MAX_GUEST_BATCH = 1000


class GuestUpsertBatchInputSerializer(serializers.Serializer):
    guests = serializers.ListField(
        child=serializers.JSONField(),
        min_length=1,
        max_length=MAX_GUEST_BATCH,
        help_text="1 to 1,000 guests, each shaped like GuestUpsertInput.",
    )


class GuestUpsertResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position in the batch.")
    pms_profile_id = serializers.CharField(allow_null=True)
    result = serializers.ChoiceField(
        choices=["created", "updated", "unchanged", "error"],
        help_text="unchanged: the guest already had these values (a retry).",
    )
    guest_id = serializers.IntegerField(allow_null=True)
    ignored_fields = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Input fields the API does not know and ignored."
    )
    error = serializers.DictField(required=False, help_text="The error shape, for result=error.")


class GuestUpsertBatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()
    results = GuestUpsertResultSerializer(many=True)
