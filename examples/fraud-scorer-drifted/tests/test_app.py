from __future__ import annotations

import pytest

PAYLOAD = {
    "transaction_id": "tx-test-1",
    "amount": 42.5,
    "merchant_category": "grocery",
    "country": "NL",
    "device": "android",
    "hour_of_day": 14,
    "customer_age_days": 1200,
    "num_tx_24h": 2,
    "avg_amount_30d": 38.2,
}


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok", "detail": None}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_predict_returns_probability_and_decision(client, auth_header):
    response = client.post("/v1/predict", json=PAYLOAD, headers=auth_header)
    assert response.status_code == 200
    body = response.json()
    assert body["transaction_id"] == "tx-test-1"
    assert body["decision"] == "approve"
    assert 0.0 <= body["fraud_probability"] <= 1.0
    assert response.headers["x-request-id"]


@pytest.mark.parametrize(("amount", "decision"), [(400.0, "review"), (900.0, "decline")])
def test_decision_thresholds(client, auth_header, amount, decision):
    response = client.post("/v1/predict", json={**PAYLOAD, "amount": amount}, headers=auth_header)
    assert response.json()["decision"] == decision


def test_predict_requires_a_token(client):
    response = client.post("/v1/predict", json=PAYLOAD)
    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"


def test_predict_rejects_missing_features(client, auth_header):
    incomplete = {k: v for k, v in PAYLOAD.items() if k != "avg_amount_30d"}
    response = client.post("/v1/predict", json=incomplete, headers=auth_header)
    assert response.status_code == 422


def test_metrics_are_exposed(client, auth_header):
    client.post("/v1/predict", json=PAYLOAD, headers=auth_header)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "fraud_scorer_predictions_total" in response.text
