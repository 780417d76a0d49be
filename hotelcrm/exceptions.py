class ApplicationError(Exception):
    """A domain error a person can act on. Apps subclass it in their own exceptions.py."""

    code = "application_error"

    def __init__(self, message, *, code=None, extra=None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra or {}
