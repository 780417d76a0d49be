"""The one UI path from an ApplicationError to what a person sees (the API's is hotelcrm.api.errors).

A view calls a service and, on its ApplicationError, either puts it on the form it re-renders
(`form_add_application_error`: each field's message beside its field, the rest at the top) or,
after a redirect, shows it as a message (`messages_add_application_error`).
"""

from django.contrib import messages


def form_add_application_error(form, error):
    if not error.fields:
        form.add_error(None, error.message)
        return
    for name, field_messages in error.fields.items():
        form.add_error(name if name in form.fields else None, field_messages)


def messages_add_application_error(request, error):
    messages.error(request, error.message)
