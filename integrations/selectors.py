from integrations.models import IntegrationKey


def integration_keys_for_hotel(*, hotel):
    return (
        IntegrationKey.objects.for_hotel(hotel)
        .select_related("created_by", "revoked_by")
        .order_by("revoked_at", "-created_at", "-pk")
    )


def integration_key_get(*, hotel, key_id):
    return IntegrationKey.objects.for_hotel(hotel).select_related("hotel__organization").filter(pk=key_id).first()
