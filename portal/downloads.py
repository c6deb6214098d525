import io
import zipfile
from collections.abc import Callable, Iterator

from django.core.files import File
from django.http import FileResponse, Http404
from django.utils.http import content_disposition_header

CHUNK = 64 * 1024


def private_file_response(
    open_file: Callable[[], File | Iterator[bytes]], *, download_name: str, content_type: str
) -> FileResponse:
    """Serve a private file (or a stream of bytes) as an attachment; the browser must not guess
    another type.

    ``open_file`` is the service that opens (and audits) the download; a file missing from the
    storage is a 404, and the service has then recorded nothing.
    """
    try:
        handle = open_file()
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=True, filename=download_name, content_type=content_type)
    # FileResponse names only a file it can read; a stream gets its name here.
    response.headers.setdefault("Content-Disposition", content_disposition_header(True, download_name) or "attachment")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


class _Pipe(io.RawIOBase):
    """What the archive writes, kept until the stream takes it: a ZIP written without seeking."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def zip_stream(members: list[tuple[str, File]], written) -> Iterator[bytes]:
    """A ZIP archive of the open files, under their names, produced chunk by chunk as it is sent:
    never whole in memory. Each file is closed once copied; ``written`` dates the entries."""
    pipe = _Pipe()
    try:
        with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, handle in members:
                entry = zipfile.ZipInfo(name, date_time=written.timetuple()[:6])
                entry.compress_type = zipfile.ZIP_DEFLATED
                with handle, archive.open(entry, "w") as target:
                    while chunk := handle.read(CHUNK):
                        target.write(chunk)
                        yield pipe.take()
        yield pipe.take()
    finally:
        for _name, handle in members:
            handle.close()
