"""Bearer-token authentication.

Callers (the payment gateway and the back-office case tool) present a short-lived HS256 JWT
issued by the internal auth service. The signing key is shared through a Kubernetes Secret.
"""

from __future__ import annotations

import logging

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

logger = logging.getLogger(__name__)

_bearer = HTTPBearer(auto_error=False)
_ALGORITHMS = ["HS256"]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def require_caller(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> str:
    """FastAPI dependency: validate the bearer JWT and return the caller's subject."""
    if credentials is None:
        raise _unauthorized("missing bearer token")
    settings = request.app.state.settings
    try:
        claims = jwt.decode(
            credentials.credentials,
            settings.auth_jwt_key,
            algorithms=_ALGORITHMS,
            audience=settings.auth_jwt_audience,
            issuer=settings.auth_jwt_issuer,
            options={"require": ["exp", "sub", "aud"]},
        )
    except jwt.InvalidTokenError as exc:
        logger.info("rejected bearer token", extra={"reason": type(exc).__name__})
        raise _unauthorized("invalid bearer token") from None
    return str(claims["sub"])
