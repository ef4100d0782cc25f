"""The API's JSON parser (settings REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]). A module of its own:
DRF imports it while defining APIView, so it must not import rest_framework.views."""

import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class SafeJSONParser(parsers.JSONParser):
    """DRF's JSON parser, bounded: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 (read no
    further than the limit), and nesting too deep for Python's parser is a 400, not a
    RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is not None and limit is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise PayloadTooLarge()
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("JSON parse error - the document is nested too deeply."), code="parse_error"
            ) from None
