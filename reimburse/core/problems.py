"""Problems of a document or a request, as codes the web app words.

A refused policy, flow or request lists every problem it has; each is a ``Problem``: where
(``path``), what (``code`` with ``params``, which the web app words from its catalogue in the
reader's language) and the same in English (``message``, for API clients and logs).

pydantic's own error types (``missing``, ``greater_than``, ``string_too_long``, ...) are codes
too: ``pydantic_problem`` keeps the type as the code and the figures of its context that the
wording needs as params, the same for a flow document and for a request's body.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  # e.g. "caps.taxi_per_trip", "nodes[0].approvers[0]", "(document)"
    code: str  # stable; the catalogue words it as problem.<code>
    message: str  # the whole problem in English, path first: "caps.taxi_per_trip: must be positive"
    params: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "code": self.code, "params": dict(self.params), "message": self.message}


def params_of(values: Mapping[str, object]) -> dict[str, str]:
    """Params as the web app receives them: text, lists joined, enums by their value."""
    return {k: _text(v) for k, v in values.items() if v is not None}


def _text(value: object) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):  # a bound of a float field: 0, not 0.0
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# pydantic error type -> the names in its context that its wording uses. Types not listed are
# still sent (with no params); the web app words an unknown code as "invalid value".
PYDANTIC_PARAMS: dict[str, tuple[str, ...]] = {
    "missing": (),
    "extra_forbidden": (),
    "greater_than": ("gt",),
    "greater_than_equal": ("ge",),
    "less_than": ("lt",),
    "less_than_equal": ("le",),
    "multiple_of": ("multiple_of",),
    "string_too_short": ("min_length",),
    "string_too_long": ("max_length",),
    "too_short": ("min_length",),
    "too_long": ("max_length",),
    "string_pattern_mismatch": (),
    "literal_error": ("expected",),
    "enum": ("expected",),
    "string_type": (),
    "int_type": (),
    "int_parsing": (),
    "int_from_float": (),
    "float_type": (),
    "float_parsing": (),
    "decimal_type": (),
    "decimal_parsing": (),
    "decimal_max_digits": ("max_digits",),
    "decimal_max_places": ("decimal_places",),
    "decimal_whole_digits": ("whole_digits",),
    "finite_number": (),
    "bool_type": (),
    "bool_parsing": (),
    "list_type": (),
    "dict_type": (),
    "model_type": (),
    "model_attributes_type": (),
    "date_type": (),
    "date_parsing": (),
    "date_from_datetime_parsing": (),
    "datetime_type": (),
    "datetime_parsing": (),
    "datetime_from_date_parsing": (),
    "url_parsing": (),
    "url_type": (),
    "url_scheme": ("expected_schemes",),
    "value_error": (),
    "json_invalid": (),
    "uuid_parsing": (),
    "none_required": (),
}


def pydantic_problem(path: str, error: Mapping[str, Any]) -> Problem:
    """One of pydantic's errors (``ValidationError.errors()``) as a problem at ``path``."""
    kind = str(error.get("type", "value_error"))
    ctx = error.get("ctx") or {}
    if kind in PYDANTIC_PARAMS:
        wanted = PYDANTIC_PARAMS[kind]
        params = params_of({k: _expected(ctx[k]) if k == "expected" else ctx[k] for k in wanted if k in ctx})
    else:  # our own PydanticCustomError: its type is the code, its context the params
        params = params_of(ctx)
    message = f"{path}: {error.get('msg')}" if path else str(error.get("msg"))
    return Problem(path, kind, message, params)


def _expected(value: object) -> str:
    # pydantic words the choices as "'a', 'b' or 'c'": the web app wants them listed plainly
    return ", ".join(part.strip(" '\"") for part in str(value).replace(" or ", ", ").split(","))


def location(loc: Sequence[int | str], *, skip: tuple[str, ...] = ()) -> str:
    """A pydantic location as a path: ``items[0].amount``; pydantic's own internal steps (a
    validator function, a list's item type) and the names in ``skip`` are left out."""
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        elif (i == 0 and part in skip) or part.startswith("function-") or part in ("list[...]",):
            continue
        else:
            out += f".{part}" if out else part
    return out
