"""Uploading and removing organisation and branch logos.

``ociLogoUpload`` takes Saleor's ``Upload`` scalar: the file comes as a part of a
multipart request (the GraphQL multipart request spec, as for Saleor's own
``fileUpload`` and ``productMediaCreate``). Staff with ``MANAGE_PLUGINS`` manage
every organisation's logos, an organisation's administrator their own
organisation's and branches' (``access.py``). The checks and storage are
``buyers/logos.py``'s.
"""

import graphene
from django.core.exceptions import ValidationError
from saleor.graphql.core import ResolveInfo
from saleor.graphql.core.types import Upload
from saleor.permission.enums import PluginsPermissions

from ..buyers import logos
from ..buyers.models import Branch, BuyerOrganisation
from ..error_codes import OciErrorCode
from .access import (
    OrganisationManagerMutation,
    managed_instance,
    managed_organisation_id,
)
from .connections import OciBranch, OciOrganisation
from .errors import OciError
from .ids import pk_from_global_id

MANAGE_PLUGINS = PluginsPermissions.MANAGE_PLUGINS

_WHO = (
    "Staff with MANAGE_PLUGINS, or the organisation's administrator for their own "
    "organisation and its branches."
)


def _logo_holder(
    info: ResolveInfo, organisation: str | None, branch: str | None
) -> tuple[BuyerOrganisation, Branch | None]:
    """The organisation, and the branch if one is named, whose logo changes."""
    if branch is not None:
        found = managed_instance(info, Branch, branch, "OciBranch", "branch")
        if organisation is not None:
            named = pk_from_global_id(organisation, "OciOrganisation", "organisation")
            if named != found.organisation_id:
                raise ValidationError(
                    {
                        "branch": ValidationError(
                            "The branch is not one of this organisation's.",
                            code=OciErrorCode.INVALID.value,
                        )
                    }
                )
        return BuyerOrganisation.objects.get(pk=found.organisation_id), found
    organisation_id = managed_organisation_id(info, organisation)
    return BuyerOrganisation.objects.get(pk=organisation_id), None


def _set_logo(
    organisation: BuyerOrganisation, branch: Branch | None, name: str
) -> None:
    holder: BuyerOrganisation | Branch = branch if branch is not None else organisation
    # The previous file stays in storage: cards ordered with it still print it.
    holder.logo = name
    holder.save(update_fields=["logo"])


class OciLogoUpload(OrganisationManagerMutation):
    organisation = graphene.Field(
        OciOrganisation, description="The organisation, with its logo."
    )
    branch = graphene.Field(
        OciBranch, description="The branch, when its own logo was set."
    )

    class Arguments:
        organisation = graphene.ID(
            description="The organisation whose logo this is; an administrator may "
            "leave it out for their own."
        )
        branch = graphene.ID(
            description="The branch whose own logo this is (it wins over the "
            "organisation's); none: the organisation's logo."
        )
        image = Upload(
            required=True,
            description="The logo, a file part of a multipart request: PNG, JPEG or "
            f"WebP, at most {logos.MAX_LOGO_BYTES // (1024 * 1024)} MB and "
            f"{logos.MAX_LOGO_SIDE} x {logos.MAX_LOGO_SIDE} pixels.",
        )

    class Meta:
        description = (
            "Set the logo printed on an organisation's or branch's greeting cards. "
            "The image is decoded and encoded again (PNG and WebP as PNG, JPEG as "
            "JPEG; its metadata dropped) and stored under a new name; a replaced "
            "logo's file is kept for cards ordered with it. Send as a multipart "
            "request (https://github.com/jaydenseric/graphql-multipart-request-spec). "
            + _WHO
        )
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls,
        _root,
        info: ResolveInfo,
        /,
        *,
        image: str,
        organisation: str | None = None,
        branch: str | None = None,
    ) -> "OciLogoUpload":
        owner, found = _logo_holder(info, organisation, branch)
        upload = info.context.FILES.get(image) if image else None
        if upload is None:
            raise ValidationError(
                {
                    "image": ValidationError(
                        "Send the logo as a file part of a multipart request.",
                        code=OciErrorCode.REQUIRED.value,
                    )
                }
            )
        try:
            name = logos.store_logo(upload)
        except ValidationError as refusal:
            raise ValidationError({"image": refusal.error_list}) from refusal
        _set_logo(owner, found, name)
        return cls(organisation=owner, branch=found)


class OciLogoDelete(OrganisationManagerMutation):
    organisation = graphene.Field(OciOrganisation, description="The organisation.")
    branch = graphene.Field(
        OciBranch, description="The branch, when its own logo was removed."
    )

    class Arguments:
        organisation = graphene.ID(
            description="The organisation whose logo is removed; an administrator "
            "may leave it out for their own."
        )
        branch = graphene.ID(
            description="The branch whose own logo is removed (it then prints the "
            "organisation's); none: the organisation's logo."
        )

    class Meta:
        description = (
            "Remove an organisation's or branch's logo; the file stays for cards "
            "ordered with it. " + _WHO
        )
        error_type_class = OciError
        permissions = (MANAGE_PLUGINS,)

    @classmethod
    def perform_mutation(
        cls,
        _root,
        info: ResolveInfo,
        /,
        *,
        organisation: str | None = None,
        branch: str | None = None,
    ) -> "OciLogoDelete":
        owner, found = _logo_holder(info, organisation, branch)
        _set_logo(owner, found, "")
        return cls(organisation=owner, branch=found)


class LogoMutations(graphene.ObjectType):
    oci_logo_upload = OciLogoUpload.Field()
    oci_logo_delete = OciLogoDelete.Field()
