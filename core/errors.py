"""The one exception type that services raise when they refuse an operation."""


class ServiceError(Exception):
    """A refused operation. `message` is already translated (the caller's language) and is shown
    as is: a form error, a 400 `{"detail": ...}` or an admin message. `code` is stable for
    programs; `field` names the form or API field at fault, if any."""

    def __init__(self, message, *, code: str = "invalid", field: str | None = None, extra=None):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.field = field
        self.extra = extra or {}
