"""Global IDs in mutation input: the row they name, or an error on their field."""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from graphql.error import GraphQLError
from saleor.graphql.core.utils import from_global_id_or_error

from ..error_codes import OciErrorCode


def pk_from_global_id(global_id: str, type_name: str, field: str) -> int:
    """The integer primary key in a global ID of ``type_name``, or a ValidationError."""
    return _pk(global_id, type_name, field, int)


def uuid_from_global_id(global_id: str, type_name: str, field: str) -> uuid.UUID:
    """The UUID primary key (Saleor's orders) in a global ID, or a ValidationError."""
    return _pk(global_id, type_name, field, uuid.UUID)


def instance_or_error[M: Model](
    model: type[M], global_id: str, type_name: str, field: str = "id"
) -> M:
    """The ``model`` row with this global ID; a ValidationError on ``field`` if none."""
    # Saleor's orders have UUID keys, the plugin's models integer ones.
    pk = _pk(global_id, type_name, field, model._meta.pk.to_python)
    instance = model._default_manager.filter(pk=pk).first()
    if instance is None:
        raise ValidationError(
            {
                field: ValidationError(
                    f"No {type_name} has the ID {global_id}.",
                    code=OciErrorCode.NOT_FOUND.value,
                )
            }
        )
    return instance


def _pk(global_id: str, type_name: str, field: str, parse: Any) -> Any:
    try:
        _type, pk = from_global_id_or_error(global_id, type_name, raise_error=True)
        return parse(pk)
    except (GraphQLError, ValueError, ValidationError) as error:
        raise ValidationError(
            {
                field: ValidationError(
                    f"Invalid ID: {global_id}. Expected: {type_name}.",
                    code=OciErrorCode.GRAPHQL_ERROR.value,
                )
            }
        ) from error
