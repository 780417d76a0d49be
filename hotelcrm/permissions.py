"""Role checks for views. The tenant door answers "is it ours?"; these answer "may this role do it?"."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from hotelcrm.models import ROLE_RANK, Role


def has_role_at_least(request, role):
    return request.role is not None and ROLE_RANK[Role(request.role)] >= ROLE_RANK[Role(role)]


def hotel_required(view):
    """Logged in and holding at least one hotel; otherwise a page that says whom to ask."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.hotel is None:
            return render(request, "core/no_access.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def role_required(role):
    def decorator(view):
        @hotel_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role_at_least(request, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
