"""Every upload is scanned for viruses by ClamAV's daemon (clamd) before anything is stored.

The bytes go to clamd over its socket (the INSTREAM command, through clamdpy); nothing is written
to a disk the daemon would have to read. An infected file is refused and the refusal is audited
(``upload_refused``, recorded by ``audit.receivers``); a daemon that cannot be reached, times out
or answers anything but a verdict refuses the upload too, so a file is never stored unscanned.

``CLAMD_URL`` names the daemon: ``unix:///run/clamav/clamd.ctl`` or ``tcp://127.0.0.1:3310``.
Without one, uploads are not scanned: the default of a development checkout, with a warning
(``monitoring.checks``); production refuses to start that way unless told (docs/deploy.md).
"""

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlparse

import clamdpy
from clamdpy.exceptions import ClamdException
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.dispatch import Signal
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Sent when a file was refused as infected: actor, subject (or None), name, signature, kind,
# sha256, size. The audit trail records it.
upload_refused = Signal()

# Bytes per INSTREAM chunk; clamd's StreamMaxLength bounds the whole stream, not a chunk.
CHUNK = 256 * 1024


class ScannerUnavailable(Exception):
    """The daemon gave no verdict: down, too slow, or an answer that is not one."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


def client(url: str, timeout: float) -> clamdpy.ClamdNetworkSocket:
    """The clamd client for ``unix:///path`` or ``tcp://host:port``; anything else is a mistake."""
    parsed = urlparse(url)
    if parsed.scheme == "unix" and parsed.path:
        return clamdpy.ClamdUnixSocket(parsed.path, timeout=timeout, max_chunk_size=CHUNK)
    if parsed.scheme == "tcp" and parsed.hostname:
        try:
            port = parsed.port or 3310
        except ValueError:
            port = None
        if port:
            return clamdpy.ClamdNetworkSocket(parsed.hostname, port, timeout=timeout, max_chunk_size=CHUNK)
    raise ImproperlyConfigured(f"CLAMD_URL must be unix:///path/to/clamd.ctl or tcp://host:port, not {url!r}.")


def configured() -> bool:
    return bool(settings.CLAMD_URL)


def _client(timeout: float | None = None) -> clamdpy.ClamdNetworkSocket:
    return client(settings.CLAMD_URL, timeout or settings.CLAMD_TIMEOUT)


def ping(timeout: float | None = None) -> None:
    """Raise ScannerUnavailable unless the daemon answers PONG (the health page asks)."""
    try:
        answer = _client(timeout).ping()
    except (ClamdException, OSError) as error:
        raise ScannerUnavailable(type(error).__name__) from error
    if answer.strip() != "PONG":
        raise ScannerUnavailable(f"unexpected answer {answer[:40]!r}")


def scan(stream) -> Verdict:
    """Send ``stream`` (read from where it stands to its end) to the daemon for its verdict."""
    try:
        result = _client().instream(stream)
    except (ClamdException, OSError) as error:
        raise ScannerUnavailable(type(error).__name__) from error
    if result.status == "FOUND":
        return Verdict(infected=True, signature=result.reason or "")
    if result.status == "OK":
        return Verdict(infected=False)
    raise ScannerUnavailable(f"{result.status}: {result.reason}")


def _refused_as_infected(signature: str) -> ValidationError:
    return ValidationError(
        _(
            "This file contains a virus or other malicious software (%(signature)s), so it was refused "
            "and not stored. Check your computer with an antivirus program and upload a clean copy."
        )
        % {"signature": signature},
        code="infected",
    )


def _digest(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _shown_name(name: str) -> str:
    """The name the browser sent, one line of plain text, for the audit trail."""
    return "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")[:200]


def scan_upload(upload, *, actor, subject, kind: str) -> None:
    """Refuse ``upload`` unless the daemon finds it clean; audit an infected one.

    ``kind`` says what the file was for (portfolio, observation, import), ``subject`` what it
    was about (an assessment, or None). A verdict is kept on the upload, so a request that checks
    the same file twice (the service, then the form keeping it) scans it and audits it once.
    """
    if not configured():
        return
    verdict = getattr(upload, "scan_verdict", None)
    if verdict is None:
        upload.seek(0)
        try:
            verdict = scan(upload)
        except ScannerUnavailable as error:
            logger.error("Virus scanner unavailable, upload refused: %s", error)
            raise ValidationError(
                _(
                    "The file could not be checked for viruses just now, so it was not accepted. "
                    "Try again in a few minutes."
                ),
                code="scanner_unavailable",
            ) from error
        finally:
            upload.seek(0)
        upload.scan_verdict = verdict
        if verdict.infected:
            logger.warning("Infected upload refused (%s, %s)", kind, verdict.signature)
            upload_refused.send(
                sender=Verdict,
                actor=actor,
                subject=subject,
                name=_shown_name(str(upload.name or "")),
                signature=verdict.signature,
                kind=kind,
                sha256=_digest(upload),
                size=upload.size,
            )
    if verdict.infected:
        raise _refused_as_infected(verdict.signature)
