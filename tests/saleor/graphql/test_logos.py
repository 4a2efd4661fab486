"""Logo upload and removal through /graphql/, as multipart requests a client sends."""

from io import BytesIO

import graphene
import pytest
from django.core.files.storage import default_storage
from saleor.core.utils import build_absolute_uri
from saleor.graphql.tests.utils import get_graphql_content

from saleor_oci_plugin.buyers.logos import LOGO_PREFIX, open_logo
from saleor_oci_plugin.buyers.models import Branch, BuyerOrganisation

from ..fixtures import make_member
from ..logo_helpers import (
    EXIF_MAKE,
    SVG,
    image_bytes,
    multipart_body,
    noise_png,
    png_bomb,
    upload,
)

ERRORS = "errors { field code message }"
UPLOAD = f"""
mutation ($organisation: ID, $branch: ID, $image: Upload!) {{
  ociLogoUpload(organisation: $organisation, branch: $branch, image: $image) {{
    organisation {{ id logoUrl }}
    branch {{ id logoUrl cardLogoUrl }}
    {ERRORS}
  }}
}}
"""
DELETE = f"""
mutation ($organisation: ID, $branch: ID) {{
  ociLogoDelete(organisation: $organisation, branch: $branch) {{
    organisation {{ logoUrl }}
    branch {{ logoUrl cardLogoUrl }}
    {ERRORS}
  }}
}}
"""
ME = "{ ociMe { organisation { logoUrl branches { code logoUrl cardLogoUrl } } } }"


@pytest.fixture(autouse=True)
def _logos_in_a_temporary_folder(media_root):
    return media_root


@pytest.fixture
def staff(staff_api_client, permission_manage_plugins):
    staff_api_client.user.user_permissions.add(permission_manage_plugins)
    return staff_api_client


def _id(type_name: str, pk: int) -> str:
    return graphene.Node.to_global_id(type_name, pk)


def _upload(client, file, **variables):
    response = client.post_multipart(multipart_body(UPLOAD, variables, file))
    return get_graphql_content(response)["data"]["ociLogoUpload"]


def _stored_logos() -> list[str]:
    _dirs, files = (
        default_storage.listdir(LOGO_PREFIX)
        if default_storage.exists(LOGO_PREFIX)
        else ([], [])
    )
    return sorted(files)


def _url(name: str) -> str:
    return build_absolute_uri(default_storage.url(name))


@pytest.mark.parametrize(
    ("fmt", "filename", "content_type", "extension", "mode"),
    [
        ("PNG", "logo.png", "image/png", "png", "RGBA"),
        ("JPEG", "logo.jpg", "image/jpeg", "jpg", "RGB"),
        ("WEBP", "logo.webp", "image/webp", "png", "RGBA"),
    ],
)
def test_staff_uploads_a_logo_stored_without_metadata_under_a_new_name(
    staff, oci_organisation, fmt, filename, content_type, extension, mode
):
    from PIL import Image

    sent = image_bytes(fmt, (40, 20), mode)
    assert Image.open(BytesIO(sent)).getexif()[EXIF_MAKE] == "Acme Camera"

    payload = _upload(
        staff,
        upload(sent, filename, content_type),
        organisation=_id("OciOrganisation", oci_organisation.pk),
    )

    assert payload["errors"] == []
    oci_organisation.refresh_from_db()
    name = oci_organisation.logo
    assert name.startswith(LOGO_PREFIX)
    assert name.endswith("." + extension)
    # An unguessable name: 24 random bytes, nothing of the uploaded file's name.
    assert len(name.removeprefix(LOGO_PREFIX).split(".")[0]) == 32
    assert "logo" not in name.removeprefix(LOGO_PREFIX)
    assert payload["organisation"]["logoUrl"] == _url(name)
    assert payload["organisation"]["logoUrl"].startswith("http")
    stored = Image.open(BytesIO(open_logo(name)))
    stored.load()
    assert stored.format == ("JPEG" if fmt == "JPEG" else "PNG")
    assert stored.size == (40, 20)
    assert stored.mode == mode
    assert len(stored.getexif()) == 0
    assert not {"exif", "icc_profile", "XML:com.adobe.xmp"} & set(stored.info)
    if mode == "RGBA":  # transparency kept
        assert stored.getpixel((0, 0))[3] == 0
        assert stored.getpixel((5, 5))[3] == 128


def test_a_replaced_logo_gets_a_new_name_and_the_old_file_stays(
    staff, oci_organisation
):
    organisation = _id("OciOrganisation", oci_organisation.pk)
    _upload(
        staff,
        upload(image_bytes("PNG"), "a.png", "image/png"),
        organisation=organisation,
    )
    oci_organisation.refresh_from_db()
    first = oci_organisation.logo

    payload = _upload(
        staff,
        upload(image_bytes("JPEG"), "a.png", "image/png"),
        organisation=organisation,
    )

    assert payload["errors"] == []
    oci_organisation.refresh_from_db()
    assert oci_organisation.logo != first
    assert default_storage.exists(first)  # cards ordered earlier still print it
    assert len(_stored_logos()) == 2


SIX_MB_SIDE = 1450  # 1450² RGB pixels of noise: some 6.3 MB as PNG


@pytest.mark.parametrize(
    ("content", "filename", "content_type", "code"),
    [
        (SVG, "logo.svg", "image/svg+xml", "LOGO_FORMAT_NOT_ALLOWED"),
        (
            lambda: image_bytes("GIF"),
            "logo.gif",
            "image/gif",
            "LOGO_FORMAT_NOT_ALLOWED",
        ),
        (b"Dear buyer,\nthis is a letter.\n", "logo.png", "image/png", "LOGO_INVALID"),
        (lambda: image_bytes("PNG")[:60], "cut.png", "image/png", "LOGO_INVALID"),
        (
            lambda: image_bytes("PNG", (4001, 10), exif=False),
            "wide.png",
            "image/png",
            "LOGO_DIMENSIONS_TOO_LARGE",
        ),
        (lambda: noise_png(SIX_MB_SIDE), "big.png", "image/png", "LOGO_FILE_TOO_LARGE"),
        (png_bomb, "bomb.png", "image/png", "LOGO_DECOMPRESSION_BOMB"),
        (lambda: png_bomb(10_000), "bomb.png", "image/png", "LOGO_DECOMPRESSION_BOMB"),
    ],
    ids=[
        "svg",
        "gif",
        "text",
        "truncated",
        "4001px",
        "over-5MB",
        "bomb",
        "bomb-100Mpx",
    ],
)
def test_refused_logos_change_and_store_nothing(
    staff, oci_organisation, content, filename, content_type, code
):
    data = content() if callable(content) else content
    if code == "LOGO_FILE_TOO_LARGE":
        assert len(data) > 5 * 1024 * 1024
    if code == "LOGO_DECOMPRESSION_BOMB":
        assert len(data) < 100_000
    oci_organisation.logo = "oci-logos/earlier.png"
    oci_organisation.save(update_fields=["logo"])

    payload = _upload(
        staff,
        upload(data, filename, content_type),
        organisation=_id("OciOrganisation", oci_organisation.pk),
    )

    (error,) = payload["errors"]
    assert (error["field"], error["code"]) == ("image", code)
    assert error["message"]
    assert payload["organisation"] is None
    oci_organisation.refresh_from_db()
    assert oci_organisation.logo == "oci-logos/earlier.png"
    assert _stored_logos() == []


def test_a_request_without_the_file_part_is_refused(staff, oci_organisation):
    response = staff.post_graphql(
        UPLOAD,
        {"organisation": _id("OciOrganisation", oci_organisation.pk), "image": None},
    )
    content = response.json()
    # Saleor's GraphQL itself refuses a null for a required Upload.
    assert content["errors"] or content["data"]["ociLogoUpload"]["errors"]
    oci_organisation.refresh_from_db()
    assert oci_organisation.logo == ""


def test_admin_sets_their_organisations_and_branchs_logos(
    member_api_client, oci_admin, oci_organisation, oci_branch
):
    client = member_api_client(oci_admin)

    own = _upload(client, upload(image_bytes("PNG"), "org.png", "image/png"))
    assert own["errors"] == []
    oci_organisation.refresh_from_db()
    organisation_logo = oci_organisation.logo
    assert own["organisation"]["logoUrl"] == _url(organisation_logo)
    # A branch without a logo of its own prints the organisation's.
    me = get_graphql_content(client.post_graphql(ME))["data"]["ociMe"]
    (branch,) = me["organisation"]["branches"]
    assert branch["logoUrl"] is None
    assert branch["cardLogoUrl"] == _url(organisation_logo)

    branch_payload = _upload(
        client,
        upload(image_bytes("JPEG"), "branch.jpg", "image/jpeg"),
        branch=_id("OciBranch", oci_branch.pk),
    )
    assert branch_payload["errors"] == []
    oci_branch.refresh_from_db()
    assert oci_branch.logo.startswith(LOGO_PREFIX)
    assert oci_branch.logo != organisation_logo
    assert branch_payload["branch"]["logoUrl"] == _url(oci_branch.logo)
    assert branch_payload["branch"]["cardLogoUrl"] == _url(oci_branch.logo)
    oci_organisation.refresh_from_db()
    assert oci_organisation.logo == organisation_logo

    # Removing the branch's own logo: it prints the organisation's again.
    removed = get_graphql_content(
        client.post_graphql(DELETE, {"branch": _id("OciBranch", oci_branch.pk)})
    )["data"]["ociLogoDelete"]
    assert removed["errors"] == []
    assert removed["branch"] == {
        "logoUrl": None,
        "cardLogoUrl": _url(organisation_logo),
    }
    oci_branch.refresh_from_db()
    assert oci_branch.logo == ""
    assert len(_stored_logos()) == 2  # removed, not deleted

    removed = get_graphql_content(client.post_graphql(DELETE, {}))["data"][
        "ociLogoDelete"
    ]
    assert removed["organisation"] == {"logoUrl": None}
    oci_organisation.refresh_from_db()
    assert oci_organisation.logo == ""


def test_admin_cannot_touch_another_organisations_logos(
    member_api_client, oci_admin, other_organisation
):
    client = member_api_client(oci_admin)
    other_branch = Branch.objects.get(organisation=other_organisation)

    for variables, field in (
        (
            {"organisation": _id("OciOrganisation", other_organisation.pk)},
            "organisation",
        ),
        ({"branch": _id("OciBranch", other_branch.pk)}, "branch"),
    ):
        payload = _upload(
            client, upload(image_bytes("PNG"), "x.png", "image/png"), **variables
        )
        (error,) = payload["errors"]
        assert (error["field"], error["code"]) == (field, "NOT_FOUND")
        removed = get_graphql_content(client.post_graphql(DELETE, variables))["data"][
            "ociLogoDelete"
        ]
        assert removed["errors"][0]["code"] == "NOT_FOUND"

    other_organisation.refresh_from_db()
    other_branch.refresh_from_db()
    assert (other_organisation.logo, other_branch.logo) == ("", "")
    assert _stored_logos() == []


def test_a_customer_who_is_no_admin_is_refused(
    member_api_client, oci_orderer, oci_organisation, user_api_client
):
    organisation = _id("OciOrganisation", oci_organisation.pk)
    for client in (member_api_client(oci_orderer), user_api_client):
        response = client.post_multipart(
            multipart_body(
                UPLOAD,
                {"organisation": organisation},
                upload(image_bytes("PNG"), "x.png", "image/png"),
            )
        )
        content = response.json()
        assert content["errors"][0]["extensions"]["exception"]["code"] == (
            "PermissionDenied"
        )
    assert BuyerOrganisation.objects.get(pk=oci_organisation.pk).logo == ""
    assert _stored_logos() == []


def test_staff_must_name_the_organisation_and_a_branch_must_be_its_own(
    staff, oci_organisation, oci_branch, other_organisation
):
    payload = _upload(staff, upload(image_bytes("PNG"), "x.png", "image/png"))
    assert payload["errors"][0]["code"] == "REQUIRED"

    payload = _upload(
        staff,
        upload(image_bytes("PNG"), "x.png", "image/png"),
        organisation=_id("OciOrganisation", other_organisation.pk),
        branch=_id("OciBranch", oci_branch.pk),
    )
    assert (payload["errors"][0]["field"], payload["errors"][0]["code"]) == (
        "branch",
        "INVALID",
    )
    assert _stored_logos() == []


def test_another_member_of_the_organisation_made_admin_may_upload(
    member_api_client, oci_organisation
):
    admin = make_member(
        oci_organisation, "second.admin@ziekenhuis-oost.example", "admin"
    )
    payload = _upload(
        member_api_client(admin), upload(image_bytes("WEBP"), "x.webp", "image/webp")
    )
    assert payload["errors"] == []
