from rest_framework import serializers
from rest_framework.generics import RetrieveAPIView

from guests.models import GuestProfile


class GuestOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = GuestProfile
        fields = ["id", "family_name", "given_name", "native_name", "gender", "nationality", "preferred_language"]


class GuestDetailApi(RetrieveAPIView):
    serializer_class = GuestOutputSerializer

    def get_queryset(self):
        return GuestProfile.objects.for_org(self.request.organization)
