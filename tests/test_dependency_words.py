"""What users read is the checker's text, whatever release of PyYAML, jsonschema or pydantic is installed:
a library's own words are at most quoted after ours, and a library's own caps never pre-empt ours."""

from __future__ import annotations

from typing import Any

import jsonschema
import pydantic
import pytest
import yaml

from checker import yamlpos
from checker.messages import pydantic_problem, schema_problem
from checker.yamlpos import YamlError, load_all

DEEP_FLOW = "key: " + "[" * 1500 + "]" * 1500 + "\n"


def _libyaml_with_its_own_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml ≥ 0.2.6 stops at 1,000 levels in its scanner, which runs ahead of the events in flow
    context: simulate that release on any installed PyYAML."""
    real_parse = yaml.parse

    def capped(stream: str, Loader: Any = yaml.SafeLoader) -> Any:  # noqa: N803 - PyYAML's own name
        if Loader is yamlpos._Loader and Loader is not yaml.SafeLoader:
            mark = yaml.Mark("<string>", 0, 0, 1006, None, None)
            raise yaml.scanner.ScannerError(None, None, "exceeded maximum nesting depth", mark)
        return real_parse(stream, Loader=Loader)

    monkeypatch.setattr(yamlpos.yaml, "parse", capped)


def test_our_nesting_cap_fires_first_even_where_libyaml_caps_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    _libyaml_with_its_own_cap(monkeypatch)
    with pytest.raises(YamlError) as caught:
        load_all(DEEP_FLOW, max_depth=64)
    assert (caught.value.message, caught.value.line, caught.value.column) == ("nested more than 64 levels deep", 1, 69)


def test_the_real_parser_gives_the_same_position() -> None:
    with pytest.raises(YamlError) as caught:
        load_all(DEEP_FLOW, max_depth=64)
    assert (caught.value.message, caught.value.line, caught.value.column) == ("nested more than 64 levels deep", 1, 69)


def test_a_syntax_error_is_ours_with_the_parser_quoted() -> None:
    with pytest.raises(YamlError) as caught:
        load_all("a: [1, 2\nb: 3\n")
    assert caught.value.message.startswith("syntax error (parser: ")
    assert caught.value.message.endswith(")")


def _schema_error(schema: dict[str, Any], instance: Any) -> jsonschema.ValidationError:
    error = next(iter(jsonschema.Draft202012Validator(schema).iter_errors(instance)))
    error.message = "some future release's wording"  # ours must not depend on it
    return error


@pytest.mark.parametrize(
    ("schema", "instance", "expected"),
    [
        ({"type": "string"}, True, "True is not of type 'string'"),
        ({"type": ["string", "integer"]}, 1.1, "1.1 is not of type 'string', 'integer'"),
        ({"required": ["title"]}, {}, "'title' is a required property"),
        ({"enum": ["a", "b"]}, "c", "'c' is not one of 'a', 'b'"),
        ({"minItems": 1}, [], "[] must not be empty"),
        ({"minItems": 2}, [1], "[1] has fewer than 2 items"),
        ({"pattern": "^v"}, "x", "'x' does not match '^v'"),
        ({"maximum": 3}, 4, "4 is greater than the maximum of 3"),
    ],
)
def test_schema_problems_are_worded_by_the_checker(schema: dict[str, Any], instance: Any, expected: str) -> None:
    assert schema_problem(_schema_error(schema, instance)) == expected


def test_an_unknown_schema_keyword_quotes_the_library() -> None:
    error = _schema_error({"dependentRequired": {"a": ["b"]}}, {"a": 1})
    assert schema_problem(error) == (
        "does not satisfy the schema's 'dependentRequired' constraint (jsonschema: some future release's wording)"
    )


class _Model(pydantic.BaseModel):
    name: str
    rate: float
    count: int = pydantic.Field(default=1, ge=1)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": True, "rate": 1}, "True is not of type 'string'"),
        ({"name": "x", "rate": "fast"}, "'fast' is not of type 'number'"),
        ({"name": "x", "rate": 1, "count": 0}, "0 must be at least 1"),
    ],
)
def test_pydantic_problems_are_worded_by_the_checker(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        _Model.model_validate(data)
    err = dict(caught.value.errors()[0])
    err["msg"] = "some future release's wording"
    assert pydantic_problem(err) == expected
