from django.http import FileResponse, Http404


def private_file_response(field_file, *, download_name: str, content_type: str) -> FileResponse:
    """Serve a private file as an attachment; the browser must not guess another type."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=True, filename=download_name, content_type=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
