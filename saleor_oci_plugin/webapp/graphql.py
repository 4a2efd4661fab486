"""A GraphQL result read from an HTTP answer's JSON document."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self


@dataclass(frozen=True, slots=True)
class GraphQLResult:
    data: dict[str, Any] | None
    errors: tuple[dict[str, Any], ...] = ()

    @property
    def error_messages(self) -> tuple[str, ...]:
        return tuple(str(error.get("message", error)) for error in self.errors)

    @classmethod
    def from_body(
        cls, body: bytes, parse_float: Callable[[str], Any] | None = None
    ) -> Self | None:
        """The result in a JSON body; None when the body is no GraphQL result."""
        try:
            document = json.loads(body, parse_float=parse_float)
        except ValueError:
            return None
        if not isinstance(document, dict) or not (
            "data" in document or "errors" in document
        ):
            return None
        errors = document.get("errors") or []
        data = document.get("data")
        # Errors are shown as they came: anything that is not an object becomes one.
        return cls(
            data=data if isinstance(data, dict) else None,
            errors=tuple(
                error if isinstance(error, dict) else {"message": str(error)}
                for error in (errors if isinstance(errors, list) else [errors])
            ),
        )
