"""gzip for HTML, CSS, JavaScript and JSON when the browser accepts it (issue 15: gunicorn sends everything
uncompressed; a load balancer in front may compress too, it leaves an encoded response alone)."""
from __future__ import annotations

import gzip

from flask import Response, request

COMPRESSIBLE = {"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                "text/plain", "image/svg+xml"}
MIN_BYTES = 500  # below this gzip's header outweighs the saving


def gzip_response(response: Response) -> Response:
    if (response.status_code != 200 or response.mimetype not in COMPRESSIBLE
            or "Content-Encoding" in response.headers or response.is_streamed and not response.direct_passthrough
            or "gzip" not in request.headers.get("Accept-Encoding", "").lower()):
        return response
    response.direct_passthrough = False  # a static file: read it here
    body = response.get_data()
    if len(body) < MIN_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag:  # the compressed bytes are another representation
        response.set_etag(etag + "-gzip", weak=weak)
    return response
