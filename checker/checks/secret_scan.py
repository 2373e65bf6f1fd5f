"""Find committed secrets in one text with detect-secrets' detectors (SEC002).

Known formats (private keys, cloud provider keys, tokens of well-known services) are detect-secrets'
regex detectors. High-entropy strings count only where they are assigned to a name that reads as a
secret (SPEC §7): a bare 32-hex MLflow run id, a uuid or a sha256 checksum is an identifier, not a key.
detect-secrets' keyword detector is not used (a short `password = "…"` is SEC007's business in
manifests), nor its verification, which would call the providers' APIs. Nothing found leaves this
module unmasked except as `Detected.value`, which callers must pass through `mask`.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Detected:
    line: int  # 1-based
    kind: str  # what was found, e.g. "AWS Access Key"; never contains the value
    value: str  # the raw secret: mask it before showing it anywhere
    named: bool = False  # found by the high-entropy-assignment rule rather than a known format

    def fingerprint(self, line_text: str) -> str:
        """A stable identity for baselines that reveals neither the value nor the line."""
        return hashlib.sha256(f"{self.kind}\0{line_text.strip()}".encode()).hexdigest()[:16]


def scan_text(text: str) -> list[Detected]:
    lines = text.splitlines()
    allowed = _allowlisted(lines)
    known = list(_known_formats(text, lines))
    # A line with a known key format needs no second, vaguer finding for the same assignment.
    named = [d for d in _secret_assignments(lines) if d.line not in {k.line for k in known}]
    found: dict[tuple[int, str], Detected] = {}
    for detected in [*known, *named]:
        if detected.line not in allowed and not _is_false_positive(detected, lines[detected.line - 1]):
            found.setdefault((detected.line, detected.value), detected)
    return sorted(found.values(), key=lambda d: (d.line, d.kind))


def _allowlisted(lines: list[str]) -> set[int]:
    allowed = set()
    for number, line in enumerate(lines, 1):
        if _ALLOW_NEXT.search(line):
            allowed.add(number + 1)
        elif _ALLOW_LINE.search(line):
            allowed.add(number)
    return allowed


def _known_formats(text: str, lines: list[str]) -> Iterator[Detected]:
    for detector in _value_detectors():
        # One search over the whole text at C speed; only a hit costs a line-by-line pass.
        if not any(pattern.search(text) for pattern in detector.denylist):
            continue
        for number, line in enumerate(lines, 1):
            for value in detector.analyze_string(line):
                yield Detected(number, str(detector.secret_type), str(value))


def _secret_assignments(lines: list[str]) -> Iterator[Detected]:
    base64, hexadecimal = _entropy_detectors()
    for number, line in enumerate(lines, 1):
        if not _SECRET_HINT.search(line):
            continue
        for match in _ASSIGNMENT.finditer(line):
            name, value = match["name"], match["value"].strip("\"'")
            if is_secret_name(name) and (_high_entropy(value, hexadecimal) or _high_entropy(value, base64)):
                yield Detected(number, f"high-entropy value assigned to {name}", value, named=True)


def _high_entropy(value: str, detector: Any) -> bool:
    return bool(re.fullmatch(f"[{re.escape(detector.charset)}]+", value)) and (
        detector.calculate_shannon_entropy(value) > detector.entropy_limit
    )


def _is_false_positive(detected: Detected, line: str) -> bool:
    """detect-secrets' own heuristics: sequences, uuids, templates, `$VAR`; `…_id` names for entropy only."""
    from detect_secrets.filters import heuristic

    value = detected.value
    return (
        heuristic.is_sequential_string(value)
        or heuristic.is_potential_uuid(value)
        or heuristic.is_templated_secret(value)
        or heuristic.is_prefixed_with_dollar_sign(value)
        or (detected.named and heuristic.is_likely_id_string(value, line))
    )


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


@lru_cache(maxsize=1)
def _entropy_detectors() -> tuple[Any, Any]:
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString

    return Base64HighEntropyString(), HexHighEntropyString()
