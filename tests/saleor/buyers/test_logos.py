"""The logo service: what the card rendering reads, and how images are cleaned."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from saleor_oci_plugin.buyers.logos import (
    LOGO_PREFIX,
    MAX_LOGO_BYTES,
    clean_logo,
    effective_logo_name,
    open_logo,
    store_logo,
)
from saleor_oci_plugin.buyers.models import Branch, BuyerOrganisation

from ..logo_helpers import image_bytes


@pytest.fixture(autouse=True)
def _logos_in_a_temporary_folder(media_root):
    return media_root


def _decoded(data: bytes):
    from PIL import Image

    image = Image.open(BytesIO(data))
    image.load()
    return image


def test_a_branchs_own_logo_wins_over_the_organisations():
    organisation = BuyerOrganisation(name="Ziekenhuis Oost", logo="oci-logos/org.png")
    branch = Branch(organisation=organisation, name="Noord", logo="")

    assert effective_logo_name(organisation) == "oci-logos/org.png"
    assert effective_logo_name(organisation, branch) == "oci-logos/org.png"
    branch.logo = "oci-logos/branch.jpg"
    assert effective_logo_name(organisation, branch) == "oci-logos/branch.jpg"
    organisation.logo = ""
    assert effective_logo_name(organisation, branch) == "oci-logos/branch.jpg"
    assert effective_logo_name(organisation) == ""
    assert effective_logo_name(organisation, Branch(organisation=organisation)) == ""


def test_stored_logo_reads_back_as_the_cleaned_image():
    name = store_logo(BytesIO(image_bytes("PNG", (64, 32), "RGBA")))

    assert name.startswith(LOGO_PREFIX)
    assert default_storage.exists(name)
    image = _decoded(open_logo(name))
    assert (image.format, image.size, image.mode) == ("PNG", (64, 32), "RGBA")


def test_a_file_of_unknown_size_over_the_limit_is_refused_unstored():
    class Stream(BytesIO):
        """An upload that does not say its size."""

    data = image_bytes("PNG") + bytes(MAX_LOGO_BYTES)
    with pytest.raises(ValidationError) as refused:
        store_logo(Stream(data))

    assert refused.value.code == "logo_file_too_large"
    assert not default_storage.exists(LOGO_PREFIX)


def test_a_palette_png_keeps_its_transparency():
    from PIL import Image

    image = Image.new("P", (10, 10), 1)
    image.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    image.putpixel((0, 0), 0)
    out = BytesIO()
    image.save(out, "PNG", transparency=0)

    clean = _decoded(clean_logo(out.getvalue()).content)

    assert clean.mode == "RGBA"
    assert clean.getpixel((0, 0))[3] == 0
    assert clean.getpixel((5, 5)) == (200, 0, 0, 255)


def test_a_cmyk_jpeg_becomes_rgb_of_the_same_size():
    from PIL import Image

    out = BytesIO()
    Image.new("CMYK", (30, 12), (0, 255, 255, 0)).save(out, "JPEG")

    logo = clean_logo(out.getvalue())

    assert logo.extension == "jpg"
    clean = _decoded(logo.content)
    assert (clean.format, clean.mode, clean.size) == ("JPEG", "RGB", (30, 12))


def test_the_exif_orientation_is_applied_before_exif_is_dropped():
    from PIL import Image

    image = Image.new("RGB", (40, 20), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show
    out = BytesIO()
    image.save(out, "PNG", exif=exif.tobytes())

    clean = _decoded(clean_logo(out.getvalue()).content)

    assert clean.size == (20, 40)
    assert len(clean.getexif()) == 0
