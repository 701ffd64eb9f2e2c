"""JSON bodies only, bounded by our own limit.

Not a subclass of DRF's JSONParser on purpose: DRF reads the body of those through
`HttpRequest.body`, capped by DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default), which a create
with 10,000 long identities exceeds. This parser reads the stream itself, up to MAX_BODY_BYTES.
"""

import json
from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from heapprivacy.api.errors import RequestTooLarge

# 10,000 subjects of 255 characters, each escaped as \uXXXX, stay under this.
MAX_BODY_BYTES = 16 * 1024 * 1024


class BoundedJSONParser(BaseParser):
    media_type = "application/json"

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise RequestTooLarge(f"The body may not exceed {MAX_BODY_BYTES} bytes.")
        body = stream.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            raise RequestTooLarge(f"The body may not exceed {MAX_BODY_BYTES} bytes.")
        try:
            return json.loads(body.decode("utf-8"), parse_constant=json_constant_refused)
        except (ValueError, RecursionError) as error:
            raise ParseError(f"JSON parse error - {error}") from None


def json_constant_refused(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")
