"""Errors the domain raises; each one's text is a single sentence for the user."""


class CctuiError(Exception):
    """Base of every error meant for the user: ``str(err)`` is one clear sentence."""


class NotFound(CctuiError):
    """A customer, invoice or other record asked for does not exist."""


class PermissionDenied(CctuiError):
    """The acting staff member's role does not allow the operation."""


class ConflictError(CctuiError):
    """Someone else changed the record first, or a rule of the book forbids the change."""


class ValidationError(CctuiError):
    """A value given by the user is malformed or out of range."""
