import graphene

from .. import error_codes

OciErrorCode = graphene.Enum.from_enum(error_codes.OciErrorCode)
