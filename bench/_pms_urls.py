"""The project's URLs plus `bench/bare/`: a DRF endpoint that authenticates the key, parses the body and answers.

It is the framework floor of the pms_ingest benchmark: what a request costs before any work.
"""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelcrm.urls import urlpatterns as project_urlpatterns


class BareApi(APIView):
    def post(self, request):
        return Response({"received": len(request.data) if hasattr(request.data, "__len__") else 0})


urlpatterns = [*project_urlpatterns, path("bench/bare/", BareApi.as_view())]
