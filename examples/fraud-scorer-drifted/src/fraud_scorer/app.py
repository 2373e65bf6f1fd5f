"""HTTP API of the fraud scorer.

Run it with gunicorn and uvicorn workers (see Dockerfile and gunicorn.conf.py); the
bind address is part of the process command line, not of this module.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus

from fastapi import Depends, FastAPI, Request, status
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from .auth import require_caller
from .logging_config import configure_logging
from .metrics import (
    FRAUD_PROBABILITY,
    MODEL_LOADED,
    PREDICTIONS,
    REQUEST_DURATION,
    REQUESTS,
    render_latest,
)
from .model import FraudModel
from .schemas import (
    Decision,
    ErrorResponse,
    HealthStatus,
    ModelInfo,
    ModelInput,
    PredictionRequest,
    PredictionResponse,
)
from .settings import Settings

logger = logging.getLogger("fraud_scorer")

ModelLoader = Callable[[Settings], FraudModel]


def _load_model(settings: Settings) -> FraudModel:
    return FraudModel.load(settings.model_path, settings.ort_intra_op_threads)


def decide(probability: float, settings: Settings) -> Decision:
    if probability >= settings.decline_threshold:
        return Decision.decline
    if probability >= settings.review_threshold:
        return Decision.review
    return Decision.approve


def create_app(
    settings: Settings | None = None, model_loader: ModelLoader = _load_model
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings or Settings.from_env()
        configure_logging(app.state.settings.log_level, app.state.settings.log_format)
        app.state.model = None
        started = time.perf_counter()
        app.state.model = model_loader(app.state.settings)
        MODEL_LOADED.set(1)
        logger.info(
            "fraud-scorer ready",
            extra={"version": __version__, "startup_s": round(time.perf_counter() - started, 3)},
        )
        try:
            yield
        finally:
            MODEL_LOADED.set(0)
            app.state.model = None
            logger.info("fraud-scorer stopped")

    app = FastAPI(
        title="fraud-scorer",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )

    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = request_id
        started = time.perf_counter()
        status_code = 500
        try:
            response = await call_next(request)
            status_code = response.status_code
        finally:
            route = request.scope.get("route")
            endpoint = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            REQUEST_DURATION.labels(endpoint, request.method).observe(elapsed)
            REQUESTS.labels(endpoint, request.method, str(status_code)).inc()
        response.headers["x-request-id"] = request_id
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        body = ErrorResponse(
            error=HTTPStatus(exc.status_code).phrase,
            detail=str(exc.detail),
            request_id=getattr(request.state, "request_id", None),
        )
        return JSONResponse(
            body.model_dump(), status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def unhandled_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", extra={"path": request.url.path})
        body = ErrorResponse(
            error="Internal Server Error",
            request_id=getattr(request.state, "request_id", None),
        )
        return JSONResponse(body.model_dump(), status_code=500)

    def current_model(request: Request) -> FraudModel:
        model: FraudModel | None = getattr(request.app.state, "model", None)
        if model is None:
            raise StarletteHTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "model not loaded")
        return model

    @app.get("/healthz", response_model=HealthStatus, tags=["ops"])
    def healthz() -> HealthStatus:
        """Liveness: the process is up and serving HTTP."""
        return HealthStatus(status="ok")

    @app.get("/readyz", response_model=HealthStatus, tags=["ops"])
    def readyz(request: Request) -> JSONResponse:
        """Readiness: the model is loaded and the worker can score traffic."""
        if getattr(request.app.state, "model", None) is None:
            body = HealthStatus(status="unavailable", detail="model not loaded")
            return JSONResponse(body.model_dump(), status_code=503)
        return JSONResponse(HealthStatus(status="ready").model_dump())

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        payload, content_type = render_latest()
        return Response(content=payload, media_type=content_type)

    @app.post("/v1/predict", response_model=PredictionResponse, tags=["scoring"])
    def predict(
        body: PredictionRequest,
        request: Request,
        caller: str = Depends(require_caller),
        model: FraudModel = Depends(current_model),
    ) -> PredictionResponse:
        settings: Settings = request.app.state.settings
        probability = float(model.predict_proba([body])[0])
        decision = decide(probability, settings)
        PREDICTIONS.labels(decision.value).inc()
        FRAUD_PROBABILITY.observe(probability)
        logger.debug(
            "scored transaction",
            extra={
                "caller": caller,
                "transaction_id": body.transaction_id,
                "decision": decision.value,
                "request_id": request.state.request_id,
            },
        )
        return PredictionResponse(
            transaction_id=body.transaction_id,
            fraud_probability=round(probability, 6),
            decision=decision,
            model_version=model.metadata.version,
        )

    @app.get("/v1/model", response_model=ModelInfo, tags=["scoring"])
    def model_info(
        _caller: str = Depends(require_caller),
        model: FraudModel = Depends(current_model),
    ) -> ModelInfo:
        return ModelInfo(
            name=model.metadata.name,
            service_version=__version__,
            model_version=model.metadata.version,
            run_id=model.metadata.run_id,
            inputs=[ModelInput(name=name, type=kind) for name, kind in model.input_types()],
        )

    return app


app = create_app()
