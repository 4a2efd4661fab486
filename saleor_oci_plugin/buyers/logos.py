"""Organisation and branch logos: checked, cleaned, stored, read.

An upload is a PNG, JPEG or WebP of at most :data:`MAX_LOGO_BYTES` and
:data:`MAX_LOGO_SIDE` pixels a side. It is decoded and encoded again with Pillow,
so that nothing but its pixels is kept (no EXIF, ICC profile or text chunks): PNG
and WebP become PNG (transparency kept), JPEG stays JPEG; the pixel size stays.
The size in the file's header is checked before any pixel is decoded, so a
decompression bomb is refused without being unpacked.

A logo is stored in ``default_storage`` under a new unguessable name
(:data:`LOGO_PREFIX`); the organisation or branch keeps that name. A replaced logo's
file is never deleted: cards ordered with it still print it.
"""

import secrets
from dataclasses import dataclass
from io import BytesIO
from typing import IO, TYPE_CHECKING
from urllib.parse import unquote, urlparse

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ..error_codes import OciErrorCode

if TYPE_CHECKING:
    from PIL.Image import Image

    from .models import Branch, BuyerOrganisation

LOGO_PREFIX = "oci-logos/"
MAX_LOGO_BYTES = 5 * 1024 * 1024
MAX_LOGO_SIDE = 4000
# A header claiming more pixels than this is a decompression bomb (Pillow's own
# default limit), whatever Image.MAX_IMAGE_PIXELS is set to.
BOMB_PIXELS = 89_478_485
ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP")
ALLOWED_TEXT = "PNG, JPEG or WebP"
# Pillow image modes PNG stores as they are.
_PNG_MODES = frozenset({"1", "L", "LA", "RGB", "RGBA", "I", "I;16"})
# How much of the start of a file is searched for an SVG root element.
_SNIFF_BYTES = 4096


@dataclass(frozen=True, slots=True)
class CleanLogo:
    """An accepted logo, encoded again: its bytes and what they are."""

    content: bytes
    extension: str  # "png" or "jpg"
    width: int
    height: int


def effective_logo_name(
    organisation: "BuyerOrganisation", branch: "Branch | None" = None
) -> str:
    """The storage name of the logo printed for the branch (or organisation):
    the branch's own, else the organisation's; empty for none."""
    if branch is not None and branch.logo:
        return branch.logo
    return organisation.logo or ""


def store_logo(uploaded_file: IO[bytes]) -> str:
    """Check and clean the upload, store it under a new name and return that name.

    Raises ValidationError (code: an ``OciErrorCode`` value) and stores nothing
    when the file is refused.
    """
    size = getattr(uploaded_file, "size", None)
    if isinstance(size, int) and size > MAX_LOGO_BYTES:
        raise _too_large()
    # Reading one byte more than allowed tells a file of unknown size too big.
    data = uploaded_file.read(MAX_LOGO_BYTES + 1)
    logo = clean_logo(data)
    name = f"{LOGO_PREFIX}{secrets.token_urlsafe(24)}.{logo.extension}"
    return default_storage.save(name, ContentFile(logo.content))


def open_logo(name: str) -> bytes:
    """The stored logo's bytes."""
    with default_storage.open(name, "rb") as stored:
        content: bytes = stored.read()
    return content


def logo_url(name: str) -> str | None:
    """The logo's absolute URL, as Saleor builds its files' URLs; None for none."""
    if not name:
        return None
    from saleor.core.utils import build_absolute_uri

    url = default_storage.url(unquote(name))
    if urlparse(url).netloc:
        return url
    return build_absolute_uri(url)


def clean_logo(data: bytes) -> CleanLogo:
    """The logo's pixels, encoded again; ValidationError when it is refused."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > MAX_LOGO_BYTES:
        raise _too_large()
    if not data:
        raise _refused("The file is empty.", OciErrorCode.LOGO_INVALID)
    try:
        # Reads the header only: nothing is decoded yet.
        image = Image.open(BytesIO(data))
    except Image.DecompressionBombError as error:
        raise _bomb() from error
    except UnidentifiedImageError as error:
        if _looks_like_svg(data):
            raise _refused(
                f"SVG logos are not allowed: upload a {ALLOWED_TEXT} image.",
                OciErrorCode.LOGO_FORMAT_NOT_ALLOWED,
            ) from error
        raise _refused(
            f"This file is not a {ALLOWED_TEXT} image, or it is damaged.",
            OciErrorCode.LOGO_INVALID,
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise _refused(
            f"This file is not a {ALLOWED_TEXT} image, or it is damaged.",
            OciErrorCode.LOGO_INVALID,
        ) from error
    with image:
        if image.format not in ALLOWED_FORMATS:
            raise _refused(
                f"{image.format} logos are not allowed: upload a {ALLOWED_TEXT} image.",
                OciErrorCode.LOGO_FORMAT_NOT_ALLOWED,
            )
        width, height = image.size
        if width * height > BOMB_PIXELS:
            raise _bomb()
        if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE:
            raise _refused(
                f"The logo is {width} x {height} pixels; at most {MAX_LOGO_SIDE} x "
                f"{MAX_LOGO_SIDE} are allowed.",
                OciErrorCode.LOGO_DIMENSIONS_TOO_LARGE,
            )
        is_jpeg = image.format == "JPEG"
        try:
            image.load()
            # The orientation lives in EXIF, which is dropped: apply it first.
            upright = ImageOps.exif_transpose(image)
            pixels = _jpeg_pixels(upright) if is_jpeg else _png_pixels(upright)
        except Image.DecompressionBombError as error:
            raise _bomb() from error
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise _refused(
                "The image cannot be read: the file is damaged or incomplete.",
                OciErrorCode.LOGO_INVALID,
            ) from error
    # A new image of the same pixels carries none of the file's metadata.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = BytesIO()
    if is_jpeg:
        clean.save(out, "JPEG", quality=95, subsampling=0)
        extension = "jpg"
    else:
        clean.save(out, "PNG")
        extension = "png"
    return CleanLogo(out.getvalue(), extension, clean.width, clean.height)


def _png_pixels(image: "Image") -> "Image":
    """The image in a mode PNG stores, its transparency kept."""
    transparent = "transparency" in image.info
    if image.mode == "P" or image.mode == "PA":
        return image.convert("RGBA" if transparent or image.mode == "PA" else "RGB")
    if transparent and image.mode == "L":
        return image.convert("LA")
    if transparent and image.mode == "RGB":
        return image.convert("RGBA")
    if image.mode in _PNG_MODES:
        return image
    return image.convert("RGBA")


def _jpeg_pixels(image: "Image") -> "Image":
    """The image as greyscale or RGB (a CMYK JPEG too, for the card printer)."""
    if image.mode in ("L", "RGB"):
        return image
    return image.convert("RGB")


def _looks_like_svg(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in head


def _too_large() -> ValidationError:
    return _refused(
        f"The logo file is larger than {MAX_LOGO_BYTES // (1024 * 1024)} MB.",
        OciErrorCode.LOGO_FILE_TOO_LARGE,
    )


def _bomb() -> ValidationError:
    return _refused(
        "The image claims far more pixels than its file holds (a decompression "
        f"bomb); upload an image of at most {MAX_LOGO_SIDE} x {MAX_LOGO_SIDE} pixels.",
        OciErrorCode.LOGO_DECOMPRESSION_BOMB,
    )


def _refused(message: str, code: OciErrorCode) -> ValidationError:
    return ValidationError(message, code=code.value)
