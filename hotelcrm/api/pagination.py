"""Page-number pagination that refuses a malformed `page` (400) instead of guessing."""

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination


class StrictPageNumberPagination(pagination.PageNumberPagination):
    """`page` must be one whole number from 1 (`?page=1&page=2` or `?page=x` is 400); a page past
    the end is 404, as DRF answers it (documented on every paginated list)."""

    def paginate_queryset(self, queryset, request, view=None):
        values = request.query_params.getlist(self.page_query_param)
        if len(values) > 1 or (values and not (values[0].isascii() and values[0].isdigit() and int(values[0]) >= 1)):
            if not (len(values) == 1 and values[0] in self.last_page_strings):
                raise exceptions.ValidationError({self.page_query_param: [_("Send one page number, 1 or more.")]})
        return super().paginate_queryset(queryset, request, view)


class StrictCursorPagination(pagination.CursorPagination):
    """`page_size` must be one whole number from 1 to max_page_size, and `cursor` one value (else 400)."""

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param) if self.page_size_query_param else []
        if values:
            raw = values[0]
            if len(values) > 1 or not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
                raise exceptions.ValidationError(
                    {
                        self.page_size_query_param: [
                            _("Send one page size from 1 to %(most)s.") % {"most": self.max_page_size}
                        ]
                    }
                )
        if len(request.query_params.getlist(self.cursor_query_param)) > 1:
            raise exceptions.ValidationError({self.cursor_query_param: [_("Send one cursor.")]})
        return super().get_page_size(request)
