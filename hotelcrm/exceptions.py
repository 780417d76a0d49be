class ApplicationError(Exception):
    """A domain error a person can act on. Apps subclass it in their own exceptions.py.

    Services raise only these. `fields` names the inputs at fault ({"guest": "Choose a guest of
    this organization."}, a message or a list of them per field): the UI puts each message on its
    form field (hotelcrm.errors.form_add_application_error), the API answers the JSON shape with
    `field_errors` (hotelcrm.api.errors). Without `fields`, `message` is the whole answer.
    """

    code = "application_error"

    def __init__(self, message=None, *, code=None, extra=None, fields=None):
        fields = {
            name: [str(m) for m in (messages if isinstance(messages, (list, tuple)) else [messages])]
            for name, messages in (fields or {}).items()
        }
        if message is None:
            message = " ".join(m for messages in fields.values() for m in messages)
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = dict(extra or {})
        if fields:
            self.extra["fields"] = fields

    @property
    def fields(self):
        return self.extra.get("fields") or {}
