"""Checking uploaded files by what they contain, not by what they are called."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from cercle.errors import ActionRefused

logger = logging.getLogger(__name__)

# What may be attached: images shown in place, documents offered for download.
# SVG and HTML are refused: a browser would run scripts inside them.
ALLOWED_TYPES = {
    "image/png", "image/jpeg", "image/gif", "image/webp",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/zip",
    "text/plain",
}  # fmt: skip
TEXT_EXTENSIONS = {"txt", "md", "csv", "tsv", "log"}
MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 500_000


@dataclass
class CheckedFile:
    content_type: str
    size: int
    text: str
    safe_name: str


def safe_name(name: str) -> str:
    """A name for Content-Disposition: no path, no control characters, bounded."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*').strip(". ")
    return (cleaned or "file")[:150]


def check_upload(upload: UploadedFile) -> CheckedFile:
    """The file's real type (from its first bytes), size and searchable text, or a refusal."""
    limit = settings.ATTACHMENT_MAX_MB * 1024 * 1024
    size = upload.size or 0
    name = safe_name(upload.name or "file")
    if size > limit:
        raise ActionRefused(
            _("%(name)s is too large: the limit is %(size)d MB.")
            % {"name": name, "size": settings.ATTACHMENT_MAX_MB}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else _plain_text_type(name, head)
    if content_type not in ALLOWED_TYPES:
        raise ActionRefused(
            _(
                "%(name)s cannot be attached: use an image (PNG, JPEG, GIF, WebP), a PDF, an office document or plain text."  # noqa: E501
            )
            % {"name": name}
        )
    text = _pdf_text(upload) if content_type == "application/pdf" else ""
    return CheckedFile(content_type=content_type, size=size, text=text, safe_name=name)


def _plain_text_type(name: str, head: bytes) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in TEXT_EXTENSIONS or b"\0" in head:
        return "application/octet-stream"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 4:
            return "application/octet-stream"
    return "text/plain"


def _pdf_text(upload: UploadedFile) -> str:
    """The text of a PDF, for search; an unreadable PDF is kept, just not searchable."""
    try:
        upload.seek(0)
        reader = PdfReader(io.BytesIO(upload.read()))
        chunks = []
        for page in reader.pages[:MAX_PDF_PAGES]:
            chunks.append(page.extract_text() or "")
            if sum(len(c) for c in chunks) > MAX_TEXT_CHARS:
                break
        return " ".join(" ".join(chunks).split())[:MAX_TEXT_CHARS]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        logger.warning("could not extract text from an attached PDF", exc_info=True)
        return ""
    finally:
        upload.seek(0)
