"""Private files (attachments, proof documents) leave the server through one response."""

from django.http import FileResponse, Http404


def private_file_response(field_file, *, filename: str) -> FileResponse:
    """Download a privately stored file as an attachment, as bytes (`application/octet-stream`,
    `nosniff`: a browser never renders a customer's file). 404 when the file is missing."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
