"""ASP.NET-style model binding of JSON bodies (System.Text.Json web defaults, docs/docspace-api.md §1).

Property names match case-insensitively, unknown properties are ignored, numbers may come as strings,
booleans may not. The first conversion error stops deserialisation and is reported under ``$.<name>``
together with "The <param> field is required.", which is what ASP.NET does when the body cannot be read.
"""

import json
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

STRING = "System.String"
NULLABLE_INT = "System.Nullable`1[System.Int32]"
BOOLEAN = "System.Boolean"
NULLABLE_BOOLEAN = "System.Nullable`1[System.Boolean]"

INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1


@dataclass(frozen=True)
class Field:
    """One DTO property: JSON name (camelCase), C# name (for validation keys) and .NET type."""

    json_name: str
    cs_name: str
    type_name: str
    max_length: Optional[int] = None
    value_range: Optional[Tuple[int, int]] = None


class BindingFailed(Exception):
    """Model state is invalid; ``errors`` is the ValidationProblemDetails ``errors`` member."""

    def __init__(self, errors: Dict[str, List[str]]) -> None:
        super().__init__("model validation failed")
        self.errors = errors


class _Conversion(Exception):
    pass


def _position(raw: str, name: str) -> Tuple[int, int]:
    """Approximate (line, byte-in-line) where System.Text.Json would stop on property ``name``'s value."""
    match = re.search(r'"' + re.escape(name) + r'"\s*:\s*', raw)
    if not match:
        return 0, 0
    end = match.end()
    value = re.match(r'"(?:[^"\\]|\\.)*"|[^,}\]\s]*', raw[end:])
    end += len(value.group(0)) if value else 0
    line = raw.count("\n", 0, end)
    return line, end - (raw.rfind("\n", 0, end) + 1)


def _convert(value: Any, type_name: str) -> Any:
    """Convert one JSON value to the .NET type, or raise _Conversion."""
    if type_name == STRING:
        if value is None or isinstance(value, str):
            return value
        raise _Conversion()
    if type_name == NULLABLE_INT:
        if value is None:
            return None
        if isinstance(value, bool):
            raise _Conversion()
        if isinstance(value, int) and INT32_MIN <= value <= INT32_MAX:
            return value
        # NumberHandling.AllowReadingFromString: the exact text of an integer, no blanks, no decimals.
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value) and INT32_MIN <= int(value) <= INT32_MAX:
            return int(value)
        raise _Conversion()
    if type_name in (BOOLEAN, NULLABLE_BOOLEAN):
        if isinstance(value, bool) or (value is None and type_name == NULLABLE_BOOLEAN):
            return value
        raise _Conversion()
    raise ValueError(f"unknown type {type_name}")


def _reject_constant(name: str) -> Any:
    # NaN/Infinity are Python extensions; System.Text.Json refuses them.
    raise ValueError(f"'{name}' is an invalid JSON literal.")


def _syntax_error(raw: str, error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        line, col = error.lineno - 1, error.colno - 1
        if error.pos >= len(raw.rstrip()):
            return ("Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed. "
                    f"Path: $ | LineNumber: {line} | BytePositionInLine: {col}.")
        return f"'{raw[error.pos]}' is an invalid start of a value. Path: $ | LineNumber: {line} | BytePositionInLine: {col}."
    return f"{error} Path: $ | LineNumber: 0 | BytePositionInLine: 0."


def bind(raw: bytes, fields: List[Field], param: str, root_type: str) -> Optional[Dict[str, Any]]:
    """Bind a request body to ``fields``.

    Returns a dict keyed by JSON name holding only the properties present in the body, or None for the
    literal body ``null``. Raises BindingFailed with ASP.NET's error keys otherwise.
    """
    text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        raise BindingFailed({"": ["A non-empty request body is required."]})
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:
        raise BindingFailed({"$": [_syntax_error(text, error)], param: [f"The {param} field is required."]}) from None
    if document is None:
        return None
    if not isinstance(document, dict):
        raise BindingFailed({
            "$": [f"The JSON value could not be converted to {root_type}. Path: $ | LineNumber: 0 | BytePositionInLine: 1."],
            param: [f"The {param} field is required."],
        })
    by_name = {f.json_name.lower(): f for f in fields}
    values: Dict[str, Any] = {}
    for key, value in document.items():
        spec = by_name.get(key.lower())
        if spec is None:
            continue  # unknown properties are ignored
        try:
            values[spec.json_name] = _convert(value, spec.type_name)
        except _Conversion:
            line, col = _position(text, key)
            raise BindingFailed({
                f"$.{key}": [f"The JSON value could not be converted to {spec.type_name}. Path: $.{key} | LineNumber: {line} | BytePositionInLine: {col}."],
                param: [f"The {param} field is required."],
            }) from None
    errors = validate(values, fields)
    if errors:
        raise BindingFailed(errors)
    return values


def _utf16_length(value: str) -> int:
    """.NET string length counts UTF-16 code units, not code points."""
    return len(value.encode("utf-16-le")) // 2


def validate(values: Dict[str, Any], fields: List[Field]) -> Dict[str, List[str]]:
    """Data-annotation checks ([StringLength], [Range]), all properties, in declaration order."""
    errors: Dict[str, List[str]] = {}
    for spec in fields:
        value = values.get(spec.json_name)
        if value is None:
            continue
        if spec.max_length is not None and _utf16_length(value) > spec.max_length:
            errors.setdefault(spec.cs_name, []).append(
                f"The field {spec.cs_name} must be a string with a maximum length of {spec.max_length}.")
        if spec.value_range is not None and not spec.value_range[0] <= value <= spec.value_range[1]:
            errors.setdefault(spec.cs_name, []).append(
                f"The field {spec.cs_name} must be between {spec.value_range[0]} and {spec.value_range[1]}.")
    return errors
