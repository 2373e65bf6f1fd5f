"""Runtime configuration.

Everything the service needs at runtime comes from environment variables so that the same
image runs unchanged in docker-compose, staging and production. Secrets (the JWT signing key)
are injected by the platform from a Kubernetes Secret; they are never baked into the image.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


class SettingsError(ValueError):
    """Raised when the environment does not describe a usable configuration."""


def _get_float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None


def _get_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    """Validated service configuration."""

    model_path: Path
    auth_jwt_key: str = field(repr=False)
    auth_jwt_audience: str = "fraud-scorer"
    auth_jwt_issuer: str | None = None
    review_threshold: float = 0.35
    decline_threshold: float = 0.80
    log_level: str = "INFO"
    log_format: str = "json"
    ort_intra_op_threads: int = 1

    def __post_init__(self) -> None:
        if not 0.0 < self.review_threshold < self.decline_threshold <= 1.0:
            raise SettingsError(
                "thresholds must satisfy 0 < DECISION_REVIEW_THRESHOLD "
                "< DECISION_DECLINE_THRESHOLD <= 1"
            )
        if self.log_format not in {"json", "text"}:
            raise SettingsError("LOG_FORMAT must be 'json' or 'text'")
        if self.ort_intra_op_threads < 1:
            raise SettingsError("ORT_INTRA_OP_THREADS must be at least 1")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        jwt_key = env.get("AUTH_JWT_SECRET", "")
        if not jwt_key:
            raise SettingsError(
                "AUTH_JWT_SECRET is not set; the service refuses to start without it"
            )
        return cls(
            model_path=Path(env.get("MODEL_PATH", "model/model.onnx")),
            auth_jwt_key=jwt_key,
            auth_jwt_audience=env.get("JWT_AUDIENCE", "fraud-scorer"),
            auth_jwt_issuer=env.get("JWT_ISSUER") or None,
            review_threshold=_get_float(env, "DECISION_REVIEW_THRESHOLD", 0.35),
            decline_threshold=_get_float(env, "DECISION_DECLINE_THRESHOLD", 0.80),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            log_format=env.get("LOG_FORMAT", "json").lower(),
            ort_intra_op_threads=_get_int(env, "ORT_INTRA_OP_THREADS", 1),
        )
