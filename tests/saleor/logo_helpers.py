"""Logo files for the logo tests: real images made with Pillow, and files that
only pretend to be images."""

import json
import os
import struct
import zlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile

SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    b'<rect width="40" height="20" fill="red"/></svg>\n'
)
# Camera make and model: EXIF tags the stored logo must not carry.
EXIF_MAKE, EXIF_MODEL = 0x010F, 0x0110


def image_bytes(
    fmt: str, size: tuple[int, int] = (40, 20), mode: str = "RGB", exif: bool = True
) -> bytes:
    """A small image in ``fmt`` (PNG, JPEG, WEBP, GIF), with EXIF when it can."""
    from PIL import Image

    colour = (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30)
    image = Image.new(mode, size, colour[: len(mode)])
    image.putpixel((0, 0), (0, 0, 255, 0)[: len(mode)])
    params: dict = {}
    if exif and fmt in ("PNG", "JPEG", "WEBP"):
        tags = Image.Exif()
        tags[EXIF_MAKE] = "Acme Camera"
        tags[EXIF_MODEL] = "Secret location 52.37N"
        params["exif"] = tags.tobytes()
    if fmt == "WEBP":
        params["lossless"] = True
    out = BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def noise_png(side: int) -> bytes:
    """A PNG of random pixels: it does not compress, so it is about 3*side² bytes."""
    from PIL import Image

    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data))
    )


def png_bomb(side: int = 20_000) -> bytes:
    """A real decompression bomb: a one-bit PNG of side² white pixels in some 50 KB."""
    row = b"\x00" + b"\xff" * (side // 8)  # filter byte, then the row's bits
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def upload(content: bytes, name: str, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def multipart_body(
    query: str, variables: dict, file: SimpleUploadedFile, variable: str = "image"
) -> dict:
    """A GraphQL multipart request (operations, map, then the file part), as a
    client sends it: the file's variable is null, ``map`` points the part at it."""
    return {
        "operations": json.dumps(
            {"query": query, "variables": {**variables, variable: None}}
        ),
        "map": json.dumps({"0": [f"variables.{variable}"]}),
        "0": file,
    }
