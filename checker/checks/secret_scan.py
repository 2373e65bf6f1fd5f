"""Find committed secrets in one text with detect-secrets' detectors (SEC002).

Known formats (private keys, cloud provider keys, tokens of well-known services) are detect-secrets'
regex detectors. High-entropy strings count only where they are assigned to a name that reads as a
secret (SPEC §7): a bare 32-hex MLflow run id, a uuid or a sha256 checksum is an identifier, not a key.
detect-secrets' keyword detector is not used (a short `password = "…"` is SEC007's business in
manifests), nor its verification, which would call the providers' APIs. Nothing found leaves this
module unmasked except as `Detected.value`, which callers must pass through `mask`.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from checker.checks.secret_names import is_secret_name

# `pragma: allowlist secret` on the line, or `pragma: allowlist nextline secret` on the line before.
_ALLOW_LINE = re.compile(r"pragma:\s*allowlist[ _-]secret", re.IGNORECASE)
_ALLOW_NEXT = re.compile(r"pragma:\s*allowlist[ _-]nextline[ _-]secret", re.IGNORECASE)
# A cheap filter before parsing assignments: the line mentions something secret-like at all.
_SECRET_HINT = re.compile(r"pass|pwd|secret|token|key|credential|auth", re.IGNORECASE)
# name <op> value, where op is =, :=, =>, : (YAML/JSON) or a Python annotation `name: str =`.
_ASSIGNMENT = re.compile(
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)["'\]]{0,2}\s*"""
    r"""(?::\s*[A-Za-z_][\w\[\], .|]*?\s*=(?!=)|:=|=>|=(?!=)|:(?![:/]))\s*"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s"',;#}\]]+)"""
)
# Well-known public values (SPEC §7): published in vendor documentation, they unlock nothing. The Azure
# Storage emulator (Azurite) account key is one fixed value; AWS's documentation keys follow a convention,
# key ids ending in EXAMPLE and secret keys ending in EXAMPLEKEY (AKIAIOSFODNN7EXAMPLE and
# wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY are the best known).
_AZURE_EMULATOR_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
_AWS_EXAMPLE_KEY = re.compile(r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{9}EXAMPLE|[0-9A-Za-z/+]{30}EXAMPLEKEY")
# A PEM armour line is a key only with key material: base64 after it on the line (a `\n`-joined string) or
# a base64 body line shortly below it (after `Proc-Type:`/`DEK-Info:` headers and a blank line).
_PRIVATE_KEY_KIND = "Private Key"
_ARMOUR_END = re.compile(r"-{5}")
_INLINE_BODY = re.compile(r"[A-Za-z0-9+/]{40,}")
_BODY_LINE = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")
_BODY_LINE_WRAPPING = " \t\"'`,;+()[]"  # quotes, concatenation and list punctuation around a body line in code
_PEM_LOOKAHEAD = 4


@dataclass(frozen=True)
class Detected:
    line: int  # 1-based
    kind: str  # what was found, e.g. "AWS Access Key"; never contains the value
    value: str  # the raw secret: mask it before showing it anywhere
    named: bool = False  # found by the high-entropy-assignment rule rather than a known format

    def fingerprint(self, line_text: str) -> str:
        """A stable identity for baselines that reveals neither the value nor the line."""
        return hashlib.sha256(f"{self.kind}\0{line_text.strip()}".encode()).hexdigest()[:16]


def scan_text(text: str, honour_allowlist: bool = True) -> list[Detected]:
    """Secrets in `text`; `pragma: allowlist secret` lines are left out unless inline waivers are turned off."""
    lines = text.splitlines()
    allowed = _allowlisted(text, lines) if honour_allowlist else set()
    known = list(_known_formats(text, lines))
    # A line with a known key format needs no second, vaguer finding for the same assignment.
    named = [d for d in _secret_assignments(text, lines) if d.line not in {k.line for k in known}]
    found: dict[tuple[int, str], Detected] = {}
    for detected in [*known, *named]:
        if detected.line not in allowed and not _is_false_positive(detected, lines):
            found.setdefault((detected.line, detected.value), detected)
    return sorted(found.values(), key=lambda d: (d.line, d.kind))


def _allowlisted(text: str, lines: list[str]) -> set[int]:
    if "pragma" not in text.lower():  # both comments hold it; only i and k have non-ASCII case partners
        return set()  # most files: no line-by-line pass
    allowed = set()
    for number, line in enumerate(lines, 1):
        if _ALLOW_NEXT.search(line):
            allowed.add(number + 1)
        elif _ALLOW_LINE.search(line):
            allowed.add(number)
    return allowed


def is_known_secret_format(value: str) -> bool:
    """Whether detect-secrets recognises `value` as a key or token of a known format (SEC007's value test)."""
    lines = value.splitlines() or [value]
    return any(not _is_false_positive(d, lines) for d in _known_formats(value, lines))


def _known_formats(text: str, lines: list[str]) -> Iterator[Detected]:
    detectors = _value_detectors()
    # RE2 passes name the detectors that may match and their lines: only those lines cost a Python pass.
    for which, numbers in _format_prefilter().lines_to_scan(text, lines).items():
        detector = detectors[which]
        for number in range(len(lines)) if numbers is None else numbers:
            for value in detector.analyze_string(lines[number]):
                yield Detected(number + 1, str(detector.secret_type), str(value))


def _secret_assignments(text: str, lines: list[str]) -> Iterator[Detected]:
    # RE2 rather than `_SECRET_HINT` over the text: that alternation, case-insensitive, costs 60 ms per MB where
    # nothing matches (a 3 MB JSON array of numbers), RE2 a few.
    numbers = _touched_lines(_hinted_assignment(), "\n".join(lines).encode())
    if not numbers:
        return
    base64, hexadecimal = _entropy_detectors()
    for number in numbers:
        # A minified bundle's one line holds ~100,000 assignments: only a name with a hint in it can be a
        # secret name (each secret word contains one), and that test is a tenth of the price of the full one.
        for name, value in _ASSIGNMENT.findall(lines[number]):
            if _SECRET_HINT.search(name) and is_secret_name(name):
                value = value.strip("\"'")
                if _high_entropy(value, hexadecimal) or _high_entropy(value, base64):
                    yield Detected(number + 1, f"high-entropy value assigned to {name}", value, named=True)


@lru_cache(maxsize=1)
def _hinted_assignment() -> Any:
    """RE2: a hint, the rest of an `_ASSIGNMENT` name, then the start of its operator. Every assignment to a
    secret name has one, so the lines it touches are the only ones worth parsing for assignments."""
    import re2

    hint = _SECRET_HINT.pattern
    space = _WIDENED[r"\s"]
    return re2.compile(f"(?i:{hint})[A-Za-z0-9_.\\-]*[\"'\\]]{{0,2}}[{space}]*[:=]".encode())


def _high_entropy(value: str, detector: Any) -> bool:
    return bool(re.fullmatch(f"[{re.escape(detector.charset)}]+", value)) and (
        detector.calculate_shannon_entropy(value) > detector.entropy_limit
    )


def _is_false_positive(detected: Detected, lines: list[str]) -> bool:
    """detect-secrets' own heuristics (sequences, uuids, templates, `$VAR`; `…_id` names for entropy only),
    well-known public values, and PEM armour without key material."""
    from detect_secrets.filters import heuristic

    value = detected.value
    return (
        heuristic.is_sequential_string(value)
        or heuristic.is_potential_uuid(value)
        or heuristic.is_templated_secret(value)
        or heuristic.is_prefixed_with_dollar_sign(value)
        or (detected.named and heuristic.is_likely_id_string(value, lines[detected.line - 1]))
        or is_public_value(value)
        or (detected.kind == _PRIVATE_KEY_KIND and not _has_key_material(detected, lines))
    )


def is_public_value(value: str) -> bool:
    """A key published in vendor documentation: the Azure Storage emulator key, AWS's example keys."""
    return _AZURE_EMULATOR_KEY in value or _AWS_EXAMPLE_KEY.fullmatch(value) is not None


def _has_key_material(detected: Detected, lines: list[str]) -> bool:
    """Whether base64 key material follows the armour (`-----BEGIN … PRIVATE KEY-----`) that was found."""
    line = lines[detected.line - 1]
    rest = line[line.find(detected.value) + len(detected.value):]
    closing = _ARMOUR_END.search(rest)
    if _INLINE_BODY.search(rest[closing.end():] if closing else rest):
        return True
    below = lines[detected.line:detected.line + _PEM_LOOKAHEAD]
    return any(_BODY_LINE.fullmatch(_unwrapped(text)) for text in below)


def _unwrapped(text: str) -> str:
    """A line of code or data without what wraps a base64 body line in it (`"MIIE…\\n" +`)."""
    text = text.strip(_BODY_LINE_WRAPPING)
    return text[:-2].rstrip(_BODY_LINE_WRAPPING) if text.endswith("\\n") else text


@lru_cache(maxsize=1)
def _value_detectors() -> tuple[Any, ...]:
    from detect_secrets.plugins import (
        artifactory,
        aws,
        azure_storage_key,
        basic_auth,
        cloudant,
        discord,
        github_token,
        gitlab_token,
        ibm_cloud_iam,
        ibm_cos_hmac,
        jwt,
        mailchimp,
        npm,
        openai,
        private_key,
        pypi_token,
        sendgrid,
        slack,
        softlayer,
        square_oauth,
        stripe,
        telegram_token,
        twilio,
    )  # fmt: skip

    classes = (
        artifactory.ArtifactoryDetector, aws.AWSKeyDetector, azure_storage_key.AzureStorageKeyDetector,
        basic_auth.BasicAuthDetector, cloudant.CloudantDetector, discord.DiscordBotTokenDetector,
        github_token.GitHubTokenDetector, gitlab_token.GitLabTokenDetector, ibm_cloud_iam.IbmCloudIamDetector,
        ibm_cos_hmac.IbmCosHmacDetector, jwt.JwtTokenDetector, mailchimp.MailchimpDetector, npm.NpmDetector,
        openai.OpenAIDetector, private_key.PrivateKeyDetector, pypi_token.PypiTokenDetector,
        sendgrid.SendGridDetector, slack.SlackDetector, softlayer.SoftlayerDetector,
        square_oauth.SquareOAuthDetector, stripe.StripeDetector, telegram_token.TelegramBotTokenDetector,
        twilio.TwilioKeyDetector,
    )  # fmt: skip
    return tuple(cls() for cls in classes)


class _FormatPrefilter:
    r"""Which detectors may match which lines of a text, from RE2 passes instead of ~70 Python regex searches.

    detect-secrets' keyword patterns open with lookbehinds that defeat Python's literal-prefix search: scanning
    every file of a 10,000-file repository with them cost more than everything else SEC002 does, and running
    them over every line of a minified bundle that one token somewhere made a candidate cost seconds. Each
    pattern is relaxed for RE2 so that it matches wherever the original matches: lookaround assertions and
    word boundaries dropped, `^`/`$` at every line, and `\d`, `\w`, `\s` widened to every non-ASCII character
    (and the ASCII spaces Python counts that RE2 does not), since Python's classes are Unicode. One set pass
    names the candidate detectors; one pass per candidate names the lines that can match. Python's `re` stays
    for patterns RE2 cannot take (verbose ones, backreferences, long repeats). The dotted and dotless i are the
    only characters that Python's case-insensitive matching folds to ASCII and RE2's does not: a text with one
    gets a second pass that reads them as `i`.
    """

    def __init__(self, detectors: tuple[Any, ...]) -> None:
        import re2  # type: ignore[import-untyped]

        options = re2.Options()
        options.log_errors = False
        self._detectors = detectors
        self._set = re2.Set.SearchSet(options)
        self._owners: list[int] = []  # set entry -> detector number
        self._python: list[tuple[int, re.Pattern[str]]] = []
        relaxed: dict[int, list[str]] = {}
        for number, detector in enumerate(detectors):
            for pattern in detector.denylist:
                body = _relaxed_for_re2(pattern)
                if body is not None and _re2_accepts(body, options):
                    relaxed.setdefault(number, []).append(body)
                else:
                    self._python.append((number, pattern))
        self._partial = {n for n, _ in self._python}  # a Python pattern too: every line needs the Python pass
        # Per detector: one RE2 regex that finds the lines where any of its patterns can match.
        self._finders = {
            n: re2.compile("|".join(f"(?:{_uncaptured(b)})" for b in bodies).encode(), options)
            for n, bodies in relaxed.items()
        }  # fmt: skip
        self._alone = [n for n in relaxed if type(detectors[n]).__name__ in _OUTSIDE_THE_SET]
        for number, bodies in relaxed.items():
            for body in bodies if number not in self._alone else ():
                self._set.Add(body.encode())
                self._owners.append(number)
        self._set.Compile()

    def candidates(self, text: str) -> set[int]:
        """Detectors that may match a line of `text` (detectors only ever look at one line at a time)."""
        return set(self.lines_to_scan(text, text.splitlines()))

    def lines_to_scan(self, text: str, lines: list[str]) -> dict[int, list[int] | None]:
        """Candidate detectors of `text` (split into `lines`), each with the 0-based numbers of the lines it
        must look at, or None for every line."""
        plain = "\n".join(lines)  # newlines only: RE2's `^`/`$` then fall where the detectors' lines end
        variants = [plain.encode()]
        if "\u0130" in plain or "\u0131" in plain:  # a second pass reads them as the `i` Python folds them to
            variants.append(_FOLDS_TO_ASCII_I.sub("i", plain).encode())
        found: dict[int, set[int]] = {}
        for joined in variants:
            for which in self._matching(joined):
                touched = found.setdefault(which, set())
                if which not in self._partial:
                    touched.update(_touched_lines(self._finders[which], joined))
        for number, pattern in self._python:
            if number not in found and pattern.search(text):
                found[number] = set()
        return {n: None if n in self._partial else sorted(found[n]) for n in sorted(found)}

    def _matching(self, joined: bytes) -> set[int]:
        """Detectors whose RE2 patterns match somewhere in `joined`."""
        found = {self._owners[i] for i in self._set.Match(joined) or ()}
        return found | {n for n in self._alone if self._finders[n].search(joined)}


_FOLDS_TO_ASCII_I = re.compile("[\u0130\u0131]")
# Detectors searched on their own rather than in the set: a run of 23-25 identifier characters, as Discord's
# tokens open with, is everywhere in minified code and multiplies the set's states (a 3 MB bundle took 0.5 s
# in the set, 10 ms alone).
_OUTSIDE_THE_SET = frozenset({"DiscordBotTokenDetector"})


def _touched_lines(finder: Any, joined: bytes) -> list[int]:
    r"""0-based numbers of the lines of `joined` that the finder's matches touch. A match may start on an earlier
    line (a leading `\s` takes the newline), so every line it spans counts: a line where the relaxed pattern
    matches is always touched by one of the matches found, whatever the matches before it consumed."""
    breaks: list[int] | None = None
    touched: list[int] = []
    for match in finder.finditer(joined):
        if breaks is None:
            breaks = [m.start() for m in _NEWLINE.finditer(joined)]
        first = bisect.bisect_left(breaks, match.start())
        last = bisect.bisect_left(breaks, max(match.end() - 1, match.start()))
        touched.extend(range(max(first, touched[-1] + 1 if touched else 0), last + 1))
    return touched


_NEWLINE = re.compile(b"\n")
_LOOKAROUND_OPENERS = ("(?=", "(?!", "(?<=", "(?<!")
# Python's Unicode classes, as RE2 classes at least as wide: every non-ASCII character, and Python's ASCII
# spaces (VT and the separators 0x1C-0x1F count; RE2's `\s` has neither).
_NON_ASCII = r"\x{80}-\x{10FFFF}"
_WIDENED = {r"\d": r"\d" + _NON_ASCII, r"\w": r"\w" + _NON_ASCII, r"\s": r"\s\x0b\x1c-\x1f" + _NON_ASCII}
_NEGATED_NARROW = (r"\D", r"\W", r"\S")  # in a negated class these would exclude non-ASCII characters


def _uncaptured(body: str) -> str:
    """`body` with its capturing groups made non-capturing: RE2 then finds where a match starts and ends with its
    DFA alone (a group to report costs a slower engine, which made one bundle take half a second)."""
    out: list[str] = []
    i = 0
    while i < len(body):
        step = _token_length(body, i)
        out.append("(?:" if body[i] == "(" and not body.startswith("(?", i) else body[i:i + step])
        i += step
    return "".join(out)


def _re2_accepts(pattern: str, options: Any) -> bool:
    import re2

    try:
        re2.compile(pattern, options)
    except re2.error:
        return False
    return True


def _relaxed_for_re2(pattern: re.Pattern[str]) -> str | None:
    """The pattern without lookaround assertions, as RE2 syntax with Python's flags; None when not translatable."""
    if pattern.flags & (re.VERBOSE | re.LOCALE) or not isinstance(pattern.pattern, str):
        return None
    body = _without_lookarounds(pattern.pattern)
    if body is None or "{," in body or "[:" in body:  # `{,n}` and `[:` mean different things in RE2
        return None
    flags = "m" + ("i" if pattern.flags & re.IGNORECASE else "") + ("s" if pattern.flags & re.DOTALL else "")
    return f"(?{flags}){body}"


def _without_lookarounds(source: str) -> str | None:
    r"""`source` with every `(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)` group and `\b`/`\B` removed and the Unicode
    classes widened (see `_FormatPrefilter`); None when unbalanced or not translatable."""
    out: list[str] = []
    i = 0
    while i < len(source):
        if source.startswith(_LOOKAROUND_OPENERS, i):
            end = _group_end(source, i)
            if end is None:
                return None
            i = end
            continue
        step = _token_length(source, i)
        token = _widened(source[i:i + step])
        if token is None:
            return None
        out.append(token)
        i += step
    return "".join(out)


def _widened(token: str) -> str | None:
    """An escape or character class with Python's Unicode classes widened for RE2; None when it cannot be."""
    if token in (r"\b", r"\B"):
        return ""  # an assertion left out only widens the pattern
    if token in _WIDENED:
        return f"[{_WIDENED[token]}]"
    if not token.startswith("[") or len(token) < 2:
        return token
    if token.startswith("[^"):  # RE2's narrower `\d\w\s` exclude fewer characters: wider, as needed
        return None if any(narrow in token for narrow in _NEGATED_NARROW) else token
    for escape, wide in _WIDENED.items():
        token = _replace_escape(token, escape, wide)
    return token


def _replace_escape(cls: str, escape: str, wide: str) -> str:
    """`cls` (a whole character class) with each `escape` token inside replaced by `wide`."""
    out: list[str] = []
    i = 0
    while i < len(cls):
        if cls[i] == "\\":
            out.append(wide if cls[i:i + 2] == escape else cls[i:i + 2])
            i += 2
        else:
            out.append(cls[i])
            i += 1
    return "".join(out)


def _group_end(source: str, start: int) -> int | None:
    """Index just past the group opening at `start`, skipping escapes and character classes."""
    depth, i = 0, start
    while i < len(source):
        char = source[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += _token_length(source, i)
    return None


def _token_length(source: str, i: int) -> int:
    """Length of the token at `i`: an escape, a whole character class, or one character."""
    if source[i] == "\\":
        return 2
    if source[i] != "[":
        return 1
    j = i + 1
    if j < len(source) and source[j] == "^":
        j += 1
    if j < len(source) and source[j] == "]":
        j += 1  # a `]` first in a class is a literal
    while j < len(source) and source[j] != "]":
        j += 2 if source[j] == "\\" else 1
    return min(j + 1, len(source)) - i


@lru_cache(maxsize=1)
def _format_prefilter() -> _FormatPrefilter:
    return _FormatPrefilter(_value_detectors())


@lru_cache(maxsize=1)
def _entropy_detectors() -> tuple[Any, Any]:
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString

    return Base64HighEntropyString(), HexHighEntropyString()
