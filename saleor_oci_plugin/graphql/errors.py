import graphene
from saleor.graphql.core.types.common import Error

from .enums import OciErrorCode


class OciError(Error):
    code = OciErrorCode(description="The error code.", required=True)
    line = graphene.String(
        description="The purchase order's line number the error is about, if any."
    )
