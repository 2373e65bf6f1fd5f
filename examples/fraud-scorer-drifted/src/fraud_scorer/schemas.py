"""Request and response models of the public API (kept in sync with api/openapi.yaml)."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class MerchantCategory(str, Enum):
    grocery = "grocery"
    travel = "travel"
    electronics = "electronics"
    fashion = "fashion"
    gaming = "gaming"


class Device(str, Enum):
    web = "web"
    ios = "ios"
    android = "android"


class Decision(str, Enum):
    approve = "approve"
    review = "review"
    decline = "decline"


class PredictionRequest(BaseModel):
    """One card transaction with the features the model was trained on."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "transaction_id": "tx_01JC8Z6W7Y3R4M",
                "amount": 129.90,
                "merchant_category": "electronics",
                "country": "DE",
                "device": "ios",
                "hour_of_day": 21,
                "customer_age_days": 812,
                "num_tx_24h": 3,
                "avg_amount_30d": 54.10,
            }
        }
    )

    transaction_id: str | None = Field(
        default=None,
        max_length=64,
        description="Caller's transaction reference, echoed in the response (since 1.4.0).",
    )
    amount: float = Field(ge=0, le=50_000, description="Transaction amount in EUR.")
    merchant_category: MerchantCategory
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code.")
    device: Device
    hour_of_day: int = Field(ge=0, le=23, description="Local hour of the transaction.")
    customer_age_days: int = Field(ge=0, description="Days since the account was opened.")
    num_tx_24h: int = Field(ge=0, description="Transactions by the card in the last 24 h.")
    avg_amount_30d: float = Field(ge=0, description="Mean transaction amount over 30 days.")


class PredictionResponse(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    transaction_id: str | None = None
    fraud_probability: float = Field(ge=0, le=1)
    decision: Decision
    model_version: str


class ModelInput(BaseModel):
    name: str
    type: str


class ModelInfo(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    name: str
    service_version: str
    model_version: str
    run_id: str | None = None
    inputs: list[ModelInput]


class HealthStatus(BaseModel):
    status: str
    detail: str | None = None


class ErrorResponse(BaseModel):
    error: str
    detail: str | None = None
    request_id: str | None = None
