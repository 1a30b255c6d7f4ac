"""Business errors that services raise and views translate.

Bad input is django.core.exceptions.ValidationError (400, field messages) and "not you"
is PermissionDenied (403). These cover the rest: the request was understood and allowed,
but the state of the data does not let it happen.
"""


class DomainError(Exception):
    """A business rule refused the operation. Never becomes a 500."""

    status_code = 400
    code = "not_allowed"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The operation does not exist from the current state (e.g. accepting a SAL)."""

    status_code = 400
    code = "not_allowed"


class Conflict(DomainError):
    """Not now: someone else changed the data first, or it is busy. Reload and retry."""

    status_code = 409
    code = "conflict"


class PreconditionFailed(DomainError):
    """The client's copy is stale: ``If-Match`` names a version that is no longer current."""

    status_code = 412
    code = "precondition_failed"
