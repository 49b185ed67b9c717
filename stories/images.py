"""Lead images: checked by what the file is (not its name), re-encoded without EXIF (so no
camera details or GPS position survive), and stored in a few widths through Django's storage
API (local files in the quick start, an S3-compatible bucket in production)."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
# The widths served through srcset; an image is never enlarged, so a narrow one has fewer.
WIDTHS = (480, 960, 1600)
MIN_WIDTH = 480
MAX_SIDE = 8000
QUALITY = 82


@dataclass(frozen=True)
class StoredImage:
    path: str  # prefix; each width is f"{path}{width}.jpg"
    widths: list[int]
    width: int  # of the largest rendition
    height: int


def max_bytes() -> int:
    return settings.STORY_IMAGE_MAX_BYTES


def open_image(upload) -> Image.Image:
    """The uploaded picture, opened and checked; ValidationError says what is wrong with it."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        limit = max_bytes() // (1024 * 1024)
        raise ValidationError(
            f"The image is too large: choose one under {limit} MB.", code="too_large"
        )
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "The file is not a picture we can read: upload a JPEG, PNG or WebP image.",
            code="not_an_image",
        ) from None
    if kind not in ALLOWED_FORMATS:
        raise ValidationError("Upload a JPEG, PNG or WebP image.", code="wrong_type")
    if width < MIN_WIDTH:
        raise ValidationError(
            f"The image is too small: it must be at least {MIN_WIDTH} pixels wide.",
            code="too_small",
        )
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ValidationError(
            f"The image is too big: neither side may be over {MAX_SIDE} pixels.",
            code="too_many_pixels",
        )
    upload.seek(0)
    image = Image.open(upload)
    try:
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "The picture is damaged: try saving it again.", code="not_an_image"
        ) from None
    return image


def _clean(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation applied), RGB, and with no metadata carried over."""
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "P"):
        upright = upright.convert("RGBA")
        flat = Image.new("RGB", upright.size, "white")
        flat.paste(upright, mask=upright.getchannel("A"))
        upright = flat
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    # A fresh image holds only pixels: no EXIF, XMP, ICC or comments from the upload.
    clean = Image.new("RGB", upright.size)
    clean.paste(upright)
    return clean


def store(image: Image.Image) -> StoredImage:
    """Write the renditions; returns where they are."""
    clean = _clean(image)
    path = f"stories/{uuid.uuid4().hex}/"
    widths = [w for w in WIDTHS if w < clean.width] + [min(clean.width, WIDTHS[-1])]
    widths = sorted(set(widths))
    height = clean.height
    for width in widths:
        rendition = clean
        if width != clean.width:
            height_at = round(clean.height * width / clean.width)
            rendition = clean.resize((width, height_at), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        rendition.save(buffer, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        default_storage.save(f"{path}{width}.jpg", ContentFile(buffer.getvalue()))
        height = rendition.height
    return StoredImage(path=path, widths=widths, width=widths[-1], height=height)


def delete(path: str, widths: list[int]) -> None:
    for width in widths:
        default_storage.delete(f"{path}{width}.jpg")
