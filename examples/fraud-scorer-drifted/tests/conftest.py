from __future__ import annotations

import secrets
import time
from collections.abc import Iterator, Sequence

import jwt
import numpy as np
import pytest
from fastapi.testclient import TestClient

from fraud_scorer.app import create_app
from fraud_scorer.model import FEATURES, ModelMetadata
from fraud_scorer.schemas import PredictionRequest
from fraud_scorer.settings import Settings


class StubModel:
    """Stands in for the ONNX model: scores by amount so tests can steer the decision."""

    metadata = ModelMetadata(name="fraud-scorer", version="test", run_id=None)

    def predict_proba(self, rows: Sequence[PredictionRequest]) -> np.ndarray:
        return np.array([min(row.amount / 1000.0, 1.0) for row in rows], dtype=np.float32)

    def input_types(self) -> list[tuple[str, str]]:
        return [(name, "tensor(float)") for name, _ in FEATURES]


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return Settings(
        model_path=tmp_path / "model.onnx",
        auth_jwt_key=secrets.token_urlsafe(32),
        log_format="text",
    )


@pytest.fixture()
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, model_loader=lambda _settings: StubModel())
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture()
def auth_header(settings: Settings) -> dict[str, str]:
    claims = {"sub": "payment-gateway", "aud": "fraud-scorer", "exp": int(time.time()) + 300}
    encoded = jwt.encode(claims, settings.auth_jwt_key, algorithm="HS256")
    return {"Authorization": f"Bearer {encoded}"}
