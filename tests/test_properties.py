"""Property-based tests (hypothesis): YAML positions, condition laws, image pinning, secret names."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.checks.conditions import AllOf, AnyOf, Leaf, NotOf, evaluate
from checker.checks.images import pin_problem
from checker.checks.secret_names import SECRET_PAIRS, SECRET_WORDS, is_secret_name
from checker.yamlpos import PosDict, PosList, load_one

settings.register_profile("readiness", max_examples=75, deadline=None)
settings.load_profile("readiness")

# --- yamlpos: every key's reported position holds that key ----------------------------------------

_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}  # would be quoted or retyped
LOWER = "abcdefghijklmnopqrstuvwxyz"
keys = st.builds(str.__add__, st.sampled_from(LOWER), st.text(LOWER + "0123456789_", max_size=10)).filter(
    lambda k: k not in _YAML_WORDS
)
# Line breaks that YAML and str.splitlines count differently (NEL, LS, PS) are PyYAML's business, not ours.
plain_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x85\u2028\u2029"), max_size=20
)
scalars = st.one_of(st.integers(), st.booleans(), st.none(), plain_text, st.floats(allow_nan=False))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(keys, inner, min_size=1, max_size=5)
    ),
    max_leaves=15,
)
mappings = st.dictionaries(keys, documents, min_size=1, max_size=6)


def _key_positions(node: Any) -> list[tuple[str, tuple[int, int]]]:
    found: list[tuple[str, tuple[int, int]]] = []
    if isinstance(node, PosDict):
        for key, value in node.items():
            found.append((key, node.key_pos[key]))
            found += _key_positions(value)
    elif isinstance(node, PosList):
        for item in node:
            found += _key_positions(item)
    return found


@given(mappings, st.sampled_from([False, None]))
def test_yamlpos_reports_the_line_and_column_of_every_key(data: dict[str, Any], flow: bool | None) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, sort_keys=False, allow_unicode=True)
    doc = load_one(text)
    assert doc == data
    lines = text.splitlines()
    positions = _key_positions(doc)
    assert len(positions) >= len(data)
    for key, (line, column) in positions:
        assert lines[line - 1][column - 1 :].startswith(f"{key}:"), (key, line, column, text)


@given(st.lists(st.dictionaries(keys, st.integers(), min_size=1, max_size=3), min_size=1, max_size=5))
def test_yamlpos_list_item_positions(items: list[dict[str, int]]) -> None:
    text = yaml.safe_dump({"items": items}, default_flow_style=False, sort_keys=False)
    doc = load_one(text)
    lines = text.splitlines()
    for item, (line, column) in zip(doc["items"], doc["items"].item_pos):
        first_key = next(iter(item))
        assert lines[line - 1][column - 1 :].startswith(f"{first_key}:")


# --- conditions: the laws of not / any / all ----------------------------------------------------

fields = st.sampled_from(["a", "b", "c.d", "c.e", "l", "l[0]"])
values = st.one_of(st.integers(-3, 3), st.sampled_from(["x", "y", ""]), st.none(), st.booleans())
subjects = st.fixed_dictionaries(
    {},
    optional={
        "a": values,
        "b": values,
        "c": st.dictionaries(st.sampled_from(["d", "e"]), values, max_size=2),
        "l": st.lists(values, max_size=3),
    },
)


@st.composite
def leaves(draw: st.DrawFn) -> Leaf:
    op = draw(st.sampled_from(["exists", "absent", "==", "!=", "in", "not_in", "contains", "not_contains",
                               ">", ">=", "<", "<=", "matches", "not_matches"]))  # fmt: skip
    value: Any = draw(values)
    if op in ("in", "not_in"):
        value = draw(st.lists(values, max_size=3))
    elif op in ("matches", "not_matches"):
        value = draw(st.sampled_from(["^x", "y$", "[0-9]", ".*"]))
    elif op in (">", ">=", "<", "<="):
        value = draw(st.integers(-3, 3))
    return Leaf.model_validate({"path": draw(fields), "op": op, "value": value})


conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.builds(lambda c: NotOf.model_validate({"not": c}), inner),
        st.builds(lambda cs: AllOf(all=cs), st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: AnyOf(any=cs), st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=6,
)


def holds(condition: Any, subject: dict[str, Any]) -> bool:
    return evaluate(condition, subject) is None


def _not(condition: Any) -> NotOf:
    return NotOf.model_validate({"not": condition})


@given(conditions, subjects)
def test_double_negation(condition: Any, subject: dict[str, Any]) -> None:
    assert holds(_not(_not(condition)), subject) == holds(condition, subject)
    assert holds(_not(condition), subject) != holds(condition, subject)


@given(conditions, subjects)
def test_singleton_any_and_all_are_the_condition(condition: Any, subject: dict[str, Any]) -> None:
    assert holds(AnyOf(any=[condition]), subject) == holds(condition, subject)
    assert holds(AllOf(all=[condition]), subject) == holds(condition, subject)


@given(st.lists(conditions, min_size=1, max_size=4), subjects)
def test_any_all_and_de_morgan(children: list[Any], subject: dict[str, Any]) -> None:
    each = [holds(c, subject) for c in children]
    assert holds(AnyOf(any=children), subject) == any(each)
    assert holds(AllOf(all=children), subject) == all(each)
    assert holds(_not(AnyOf(any=children)), subject) == holds(AllOf(all=[_not(c) for c in children]), subject)


@given(conditions, subjects)
def test_a_failure_explains_itself(condition: Any, subject: dict[str, Any]) -> None:
    failure = evaluate(condition, subject)
    if failure is not None:
        assert failure.explanation


# --- image pinning ------------------------------------------------------------------------------

ALNUM = LOWER + "0123456789"
components = st.builds(
    lambda head, sep, tail: head + (sep + tail if tail else ""),
    st.text(ALNUM, min_size=1, max_size=8),
    st.sampled_from("._-"),
    st.text(ALNUM, max_size=5),
)
repositories = st.builds(
    lambda registry, parts: "/".join(([registry] if registry else []) + parts),
    st.one_of(st.none(), st.sampled_from(["ghcr.io", "registry.example.com:5000", "localhost:5000"])),
    st.lists(components, min_size=1, max_size=3),
)
TAG_START = ALNUM + LOWER.upper() + "_"
tags = st.builds(str.__add__, st.sampled_from(TAG_START), st.text(TAG_START + ".-", max_size=20)).filter(
    lambda t: t.lower() != "latest"
)
digests = st.builds("sha256:{}".format, st.text("0123456789abcdef", min_size=64, max_size=64))


@given(repositories, tags)
def test_a_tag_other_than_latest_is_pinned(repository: str, tag: str) -> None:
    assert pin_problem(f"{repository}:{tag}") is None


@given(repositories, st.one_of(st.none(), tags), digests)
def test_a_digest_is_pinned(repository: str, tag: str | None, digest: str) -> None:
    name = f"{repository}:{tag}" if tag else repository
    assert pin_problem(f"{name}@{digest}") is None


@given(repositories)
def test_no_tag_is_unpinned(repository: str) -> None:
    assert pin_problem(repository) == f"image {repository!r} has no tag (defaults to :latest)"


@given(repositories, st.sampled_from(["latest", "LATEST", "Latest"]))
def test_latest_is_unpinned(repository: str, latest: str) -> None:
    reference = f"{repository}:{latest}"
    assert pin_problem(reference) == f"image {reference!r} uses the mutable tag :latest"


# --- SEC007 secret-name classifier ----------------------------------------------------------------

PLAIN_WORDS = ["model", "author", "tokenizers", "parallelism", "db", "host", "port", "user", "name", "api",
               "access", "private", "path", "url", "level", "workers", "batch", "size", "cache", "dir"]  # fmt: skip
SECRETS = sorted(SECRET_WORDS) + [" ".join(pair) for pair in sorted(SECRET_PAIRS)]


def _join(words: list[str], style: str) -> str:
    if style == "camel":
        return words[0] + "".join(w.capitalize() for w in words[1:])
    if style == "pascal":
        return "".join(w.capitalize() for w in words)
    separator, upper = style[0], style.endswith("upper")
    name = separator.join(words)
    return name.upper() if upper else name


styles = st.sampled_from(["_upper", "_lower", "-lower", ".lower", "-upper", "camel", "pascal"])


@given(
    st.lists(st.sampled_from(PLAIN_WORDS), min_size=1, max_size=4),
    st.sampled_from(SECRETS),
    st.integers(0, 4),
    styles,
)
def test_names_with_a_secret_word_are_secret(words: list[str], secret: str, at: int, style: str) -> None:
    parts = words[:at] + secret.split() + words[at:]
    assert is_secret_name(_join(parts, style)), _join(parts, style)


@given(st.lists(st.sampled_from(PLAIN_WORDS), min_size=1, max_size=5), styles)
def test_names_without_secret_words_are_not_secret(words: list[str], style: str) -> None:
    assert not is_secret_name(_join(words, style)), _join(words, style)


def test_spec_examples_of_secret_names() -> None:
    assert is_secret_name("DB_PASSWORD") and is_secret_name("HF_TOKEN") and is_secret_name("openaiApiKey")
    assert not is_secret_name("TOKENIZERS_PARALLELISM") and not is_secret_name("MODEL_AUTHOR")
