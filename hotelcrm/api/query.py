"""Query-string serializers that refuse what DRF would quietly treat as absent."""

from django.utils.translation import gettext as _
from rest_framework import serializers


class StrictQuerySerializer(serializers.Serializer):
    """Each parameter at most once (`?date=a&date=b` is 400), and not empty (`?status=`) unless the
    field allows blank: DRF would otherwise read an empty value as "not sent" and use the default."""

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            errors = {}
            for name, field in self.fields.items():
                values = data.getlist(name)
                if len(values) > 1:
                    errors[name] = [_("Send this parameter once.")]
                elif values and values[0] == "" and not getattr(field, "allow_blank", False):
                    errors[name] = [_("This parameter may not be empty; leave it out instead.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
