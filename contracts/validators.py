"""Checks on uploaded proof documents, shared by the partner form, the admin and the services."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# The first bytes of each accepted format; the extension a partner gives is not trusted.
PROOF_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
}


def sniff_proof_type(head: bytes) -> str | None:
    """The accepted format whose signature `head` starts with, or None."""
    for kind, signatures in PROOF_SIGNATURES.items():
        if head.startswith(signatures):
            return kind
    return None


def validate_proof(upload) -> str:
    """Validate an uploaded proof document (PDF, PNG or JPEG, at most PROOF_MAX_BYTES) by its
    content; return its real type ("pdf", "png" or "jpg"). Raises ValidationError."""
    size = getattr(upload, "size", None) or 0
    if size == 0:
        raise ValidationError(_("The proof document is empty."), code="proof_empty")
    if size > settings.PROOF_MAX_BYTES:
        raise ValidationError(
            _("The proof document is %(size)s; the limit is %(limit)s."),
            code="proof_too_big",
            params={
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.PROOF_MAX_BYTES),
            },
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    kind = sniff_proof_type(head)
    if kind is None:
        raise ValidationError(
            _("The proof document must be a PDF, PNG or JPEG file."), code="proof_type"
        )
    return kind
