"""A connection's login parameter names (``USERNAME``, ``loginname``, ``cid``, ...)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .parameters import OCI_PARAMETERS
from .problems import OCIProblem, SettingsError


@dataclass(frozen=True, slots=True)
class LoginParameter:
    """One login value (``key``) and the parameter names it may be sent under."""

    key: str
    aliases: tuple[str, ...]
    required: bool = True


DEFAULT_LOGIN_PARAMETERS_TUPLE = (
    LoginParameter("username", ("USERNAME",)),
    LoginParameter("password", ("PASSWORD",)),
)


@dataclass(frozen=True)
class LoginParameters:
    """A connection's login parameter names.

    Real systems name them differently (``loginname``, ``cid``, ``user_id`` for the
    user, ``pwd`` for the password); each login value lists the names it may come
    under (matched case-insensitively). Stored as
    ``{"username": ["USERNAME", "loginname"], "password": {"aliases": ["PASSWORD"],
    "required": false}}`` (:meth:`from_dict`, :meth:`to_dict`).
    """

    parameters: tuple[LoginParameter, ...] = DEFAULT_LOGIN_PARAMETERS_TUPLE

    def __post_init__(self) -> None:
        problems = []
        seen: dict[str, str] = {}
        for parameter in self.parameters:
            if not parameter.aliases:
                problems.append(
                    OCIProblem(
                        f"login.{parameter.key}", "has no parameter names", "no_alias"
                    )
                )
            for alias in parameter.aliases:
                name = alias.strip().upper() if isinstance(alias, str) else ""
                if not name:
                    problems.append(
                        OCIProblem(
                            f"login.{parameter.key}",
                            "a parameter name must be a non-empty text",
                            "invalid_alias",
                        )
                    )
                elif name in OCI_PARAMETERS:
                    problems.append(
                        OCIProblem(
                            f"login.{parameter.key}",
                            f"{alias!r} is an OCI parameter",
                            "reserved_alias",
                        )
                    )
                elif name in seen and seen[name] != parameter.key:
                    problems.append(
                        OCIProblem(
                            f"login.{parameter.key}",
                            f"{alias!r} is also a name of {seen[name]}",
                            "duplicate_alias",
                        )
                    )
                else:
                    seen[name] = parameter.key
        if problems:
            raise SettingsError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "LoginParameters":
        """Build from stored settings (the format in the class docstring)."""
        parameters = []
        for key, value in data.items():
            if isinstance(value, Mapping):
                aliases, required = (
                    value.get("aliases") or (),
                    value.get("required", True),
                )
            else:
                aliases, required = value, True
            if isinstance(aliases, str):
                aliases = (aliases,)
            if not isinstance(aliases, Iterable):
                raise SettingsError(
                    [
                        OCIProblem(
                            f"login.{key}", "must list parameter names", "invalid_alias"
                        )
                    ]
                )
            parameters.append(LoginParameter(key, tuple(aliases), bool(required)))
        return cls(tuple(parameters))

    def to_dict(self) -> dict[str, Any]:
        """The settings :meth:`from_dict` reads."""
        return {
            parameter.key: {
                "aliases": list(parameter.aliases),
                "required": parameter.required,
            }
            for parameter in self.parameters
        }


DEFAULT_LOGIN_PARAMETERS = LoginParameters()
