from saleor.graphql.core.types.common import Error

from .enums import OciErrorCode


class OciError(Error):
    code = OciErrorCode(description="The error code.", required=True)
