from collections.abc import Callable

from django.core.files import File
from django.http import FileResponse, Http404


def private_file_response(open_file: Callable[[], File], *, download_name: str, content_type: str) -> FileResponse:
    """Serve a private file as an attachment; the browser must not guess another type.

    ``open_file`` is the service that opens (and audits) the download; a file missing from the
    storage is a 404, and the service has then recorded nothing.
    """
    try:
        handle = open_file()
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=True, filename=download_name, content_type=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
