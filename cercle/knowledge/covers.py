"""Collection covers: checked by their content and written again by Pillow, so what is
stored is a plain image Cercle made (no metadata, no polyglot file), whatever was sent."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from cercle.errors import ActionRefused

# Pillow's format name -> the extension Cercle stores, and the type the cover is served as.
COVER_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
COVER_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
# Wide enough for the collection page at twice the pixel density; larger images shrink.
COVER_SIDE = 1600
COVER_MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CheckedCover:
    content: ContentFile[bytes]
    name: str


def check_cover(upload: UploadedFile) -> CheckedCover:
    """A PNG, JPEG or WebP image no larger than `IMAGE_MAX_MB`, re-encoded (turned
    upright, at most `COVER_SIDE` pixels a side, metadata dropped), or a refusal."""
    limit = settings.IMAGE_MAX_MB * 1024 * 1024
    if (upload.size or 0) > limit:
        raise ActionRefused(
            _("This image is too large: the limit is %(size)d MB.")
            % {"size": settings.IMAGE_MAX_MB}
        )
    refused = ActionRefused(_("Use a PNG, JPEG or WebP image."))
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image_format = image.format or ""
            if image_format not in COVER_FORMATS:
                raise refused
            if image.width * image.height > COVER_MAX_PIXELS:
                raise ActionRefused(_("This image has too many pixels: use a smaller one."))
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((COVER_SIDE, COVER_SIDE))
            if image_format == "JPEG" and upright.mode not in {"RGB", "L"}:
                upright = upright.convert("RGB")
            buffer = io.BytesIO()
            upright.save(buffer, format=image_format)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise refused from None
    finally:
        upload.seek(0)
    # A fresh name for every cover: its address changes with it (Collection.cover_url).
    name = f"cover-{secrets.token_hex(6)}.{COVER_FORMATS[image_format]}"
    return CheckedCover(content=ContentFile(buffer.getvalue()), name=name)


def cover_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return COVER_TYPES.get(extension, "application/octet-stream")
