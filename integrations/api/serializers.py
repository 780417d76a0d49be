from django.utils.translation import gettext as _
from rest_framework import serializers

from hotelcrm.api.base import AwareDateTimeField
from hotelcrm.api.query import StrictQuerySerializer
from integrations.services import EVENT_STATUS

MAX_BATCH = 1000


class StayDetailsSerializer(serializers.Serializer):
    room_number = serializers.CharField(max_length=16, required=False, allow_blank=True)
    room_type = serializers.CharField(max_length=40, required=False, allow_blank=True)
    rate_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    channel = serializers.CharField(max_length=40, required=False, allow_blank=True)
    room_revenue = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    fb_revenue = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    other_revenue = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    adults = serializers.IntegerField(min_value=0, max_value=99, required=False, allow_null=True)
    children = serializers.IntegerField(min_value=0, max_value=99, required=False, allow_null=True)
    market_segment = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="The PMS's market segment code, e.g. Corporate, Groups, Online TA.",
    )
    booked_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="When the reservation was made (with its UTC offset); the lead time is "
        "the days from its date in the hotel's zone to the arrival.",
    )
    cancelled_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="When it was cancelled; a `cancelled` event without it takes its event_at.",
    )
    cancellation_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class InlineGuestSerializer(serializers.Serializer):
    family_name = serializers.CharField(max_length=100)
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    native_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    nationality = serializers.CharField(
        max_length=3,
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2 or alpha-3 (PT or PRT); stored as alpha-2.",
    )

    def validate_nationality(self, value):
        from django.core.exceptions import ValidationError as DjangoValidationError

        from guests.validators import normalise_nationality

        try:
            return normalise_nationality(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class StayEventInputSerializer(serializers.Serializer):
    reservation_id = serializers.CharField(max_length=64, help_text="The reservation id in this hotel's PMS.")
    event = serializers.ChoiceField(choices=sorted(EVENT_STATUS))
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**62,
        required=False,
        default=0,
        help_text="The reservation's version in the PMS; compared before event_at.",
    )
    event_at = AwareDateTimeField(
        help_text="When the event happened in the PMS, ISO 8601 with its UTC offset "
        "(`Z` or `+08:00`); a time without one is refused."
    )
    arrival_on = serializers.DateField()
    departure_on = serializers.DateField()
    guest_id = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, help_text="Our guest id; or give pms_profile_id."
    )
    pms_profile_id = serializers.CharField(
        max_length=64, required=False, help_text="The guest's PMS profile id, as linked by the guest upsert."
    )
    guest = InlineGuestSerializer(required=False, help_text="Creates the guest when pms_profile_id is not linked yet.")
    details = StayDetailsSerializer(required=False)

    def validate(self, data):
        if data["departure_on"] < data["arrival_on"]:
            raise serializers.ValidationError({"departure_on": [_("The departure cannot be before the arrival.")]})
        if not data.get("guest_id") and not data.get("pms_profile_id"):
            raise serializers.ValidationError({"guest_id": [_("Give guest_id or pms_profile_id.")]})
        if data["event"] == "cancelled" and not (data.get("details") or {}).get("cancelled_at"):
            data["details"] = {**(data.get("details") or {}), "cancelled_at": data["event_at"]}
        return data


class StayEventBatchInputSerializer(serializers.Serializer):
    events = serializers.ListField(
        child=serializers.JSONField(),
        min_length=1,
        max_length=MAX_BATCH,
        help_text="1 to 1,000 events, each shaped like StayEventInput, applied one by one.",
    )


class StayEventResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(required=False, help_text="Position in the batch.")
    reservation_id = serializers.CharField(allow_null=True)
    result = serializers.ChoiceField(
        choices=["applied", "ignored", "error"], help_text="ignored: an event as new or newer was applied already."
    )
    stay_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(allow_null=True, help_text="The stay's status after this event.")
    error = serializers.DictField(required=False, help_text="The error shape, for result=error.")
    ignored_fields = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Input fields the API does not know and ignored (dotted for "
        "nested ones, e.g. details.foo). A strict key refuses them.",
    )


class StayEventBatchResultSerializer(serializers.Serializer):
    applied = serializers.IntegerField()
    ignored = serializers.IntegerField()
    errors = serializers.IntegerField()
    results = StayEventResultSerializer(many=True)


class ArrivalsQuerySerializer(StrictQuerySerializer):
    # `?date=` (empty) or `?date=a&date=b` is a malformed query, not "today": refused (400).
    date = serializers.DateField(required=False, help_text="Defaults to today in the hotel's time zone.")


class OccasionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    on = serializers.DateField()
    is_lunar = serializers.BooleanField()


class PreferenceSerializer(serializers.Serializer):
    category = serializers.CharField()
    name = serializers.CharField()
    value = serializers.CharField()


class ComplaintSummarySerializer(serializers.Serializer):
    summary = serializers.CharField()


class ArrivalSerializer(serializers.Serializer):
    stay_id = serializers.IntegerField()
    room_number = serializers.CharField()
    is_masked = serializers.BooleanField(help_text="A confidential guest the caller may not open: room only.")
    guest_id = serializers.IntegerField(allow_null=True)
    guest_name = serializers.CharField()
    room_type = serializers.CharField()
    nights = serializers.IntegerField()
    departure_on = serializers.DateField(allow_null=True)
    vip_level = serializers.IntegerField()
    guest_type = serializers.CharField()
    tier = serializers.CharField()
    has_health_notes = serializers.BooleanField(
        help_text="Health notes exist; they are only shown in the UI's audited section."
    )
    preferences = PreferenceSerializer(many=True)
    special_dates = OccasionSerializer(many=True)
    open_complaints = serializers.ListField(child=serializers.CharField())


class ArrivalsSerializer(serializers.Serializer):
    hotel = serializers.CharField()
    date = serializers.DateField()
    arrivals = ArrivalSerializer(many=True)
