import graphene
from saleor.graphql.core.types.common import Error

from .enums import OciErrorCode


class OciError(Error):
    code = OciErrorCode(description="The error code.", required=True)
    line = graphene.String(
        description="The line the error is about, if any: the purchase order's "
        "line number; for a cart, its line (1-based, in the cart's order); for "
        "lines being added, the input's position (1-based)."
    )
