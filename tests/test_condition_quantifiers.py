"""`each` / `some` conditions over the entries of a mapping or list, and `expected` wording."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from checker.checks.conditions import Condition, Failure, describe, evaluate

_CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)
GPU = "^[^/]+/gpu$"


def _check(raw: dict[str, Any], subject: dict[str, Any]) -> Failure | None:
    return evaluate(_CONDITION.validate_python(raw), subject)


def test_some_with_a_key_pattern_finds_a_gpu_limit() -> None:
    some = {"some": {"path": "resources.limits", "key": GPU}}
    assert _check(some, {"resources": {"limits": {"nvidia.com/gpu": 1}}}) is None
    failure = _check(some, {"resources": {"limits": {"memory": "1Gi"}}})
    assert failure == Failure("resources.limits has no entry with a key matching '^[^/]+/gpu$'", ("resources", "limits"))


def test_each_points_at_the_failing_entry_and_names_it() -> None:
    each = {"each": {"path": "resources.limits", "key": GPU,
                     "assert": {"path": "$value", "op": "matches", "value": "^[0-9]+$", "expected": "a whole number"}}}
    failure = _check(each, {"resources": {"limits": {"memory": "1Gi", "nvidia.com/gpu": "0.5"}}})
    assert failure == Failure(
        "resources.limits.nvidia.com/gpu is '0.5' (expected a whole number)", ("resources", "limits", "nvidia.com/gpu")
    )
    assert _check(each, {"resources": {}}) is None  # no entries: nothing fails


def test_each_where_filters_list_items_and_parent_reaches_the_subject() -> None:
    each = {"each": {"path": "env", "where": {"path": "name", "op": "==", "value": "MODEL_URI"},
                     "assert": {"path": "$parent.pinned", "op": "==", "value": True}}}
    subject = {"pinned": False, "env": [{"name": "OTHER", "value": "x"}, {"name": "MODEL_URI", "value": "y"}]}
    assert _check(each, subject) == Failure("pinned is False (expected == True)", ("pinned",))
    assert _check(each, {**subject, "pinned": True}) is None


def test_plain_paths_inside_an_entry_read_from_the_subject() -> None:
    each = {"each": {"path": "env", "assert": {"path": "value", "op": "not_matches", "value": "latest"}}}
    failure = _check(each, {"env": [{"value": "v1"}, {"value": "s3://m/latest"}]})
    assert failure is not None and failure.path == ("env", 1, "value")
    assert failure.explanation.startswith("env[1].value is 's3://m/latest'")


def test_nested_some_and_key_of_entries() -> None:
    terms = {"some": {"path": "terms", "where": {"some": {"path": "exprs", "where": {"path": "key", "op": "matches",
                                                                                      "value": "gpu"}}}}}
    assert _check(terms, {"terms": [{"exprs": [{"key": "zone"}]}, {"exprs": [{"key": "nvidia.com/gpu"}]}]}) is None
    assert _check(terms, {"terms": [{"exprs": [{"key": "zone"}]}]}) is not None
    contains_key = {"each": {"path": "requests", "assert": {"path": "$parent.limits", "op": "contains",
                                                            "value_path": "$key"}}}
    assert _check(contains_key, {"requests": {"a/gpu": 1}, "limits": {"a/gpu": 1}}) is None
    assert _check(contains_key, {"requests": {"a/gpu": 1}, "limits": {}}) is not None


def test_describe_names_the_quantifier() -> None:
    raw = {"not": {"some": {"path": "tolerations", "where": {"path": "key", "op": "exists"}}}}
    assert describe(_CONDITION.validate_python(raw)) == "not (tolerations has an entry among those where key exists)"
