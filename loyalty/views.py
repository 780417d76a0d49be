from django.http import HttpResponse

from hotelcrm.models import Role
from hotelcrm.permissions import role_required


@role_required(Role.MANAGER)
def adjustment_list(request):
    return HttpResponse("")
