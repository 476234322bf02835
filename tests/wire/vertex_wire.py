"""The Vertex AI dialect of Gemini, and the OAuth token endpoint its credentials refresh against.

Vertex serves the same streamed ``GenerateContentResponse`` chunks as the Gemini API under
``/<version>/projects/{project}/locations/{location}/publishers/google/models/{model}:streamGenerateContent``,
authenticated with an OAuth access token (Application Default Credentials: here a service account
key, whose signed JWT the fake's token endpoint exchanges) instead of an API key.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.requests import Request
from starlette.responses import JSONResponse

from tests.wire.gemini_wire import GeminiWire

_PATH = re.compile(
    r"/v1(beta1)?/projects/([^/]+)/locations/([^/]+)/publishers/google/models/[^/:]+:streamGenerateContent"
)
ACCESS_TOKEN = "ya29.wire-test-access-token"


class VertexWire(GeminiWire):
    def handles(self, path: str) -> bool:
        return bool(_PATH.fullmatch(path))


def project_and_location(path: str) -> tuple[str, str]:
    match = _PATH.fullmatch(path)
    assert match is not None, path
    return match.group(2), match.group(3)


SERVICE_ACCOUNT = "tarsy-wire@wire-project-42.iam.gserviceaccount.com"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"


def service_account_info(token_uri: str) -> dict[str, str]:
    """A service account key file of a fresh RSA key, whose token endpoint is ``token_uri``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": "wire-project-42",
        "private_key_id": "wire-key-1",
        "private_key": pem,
        "client_email": SERVICE_ACCOUNT,
        "client_id": "1234567890",
        "token_uri": token_uri,
    }


def _claims(assertion: str) -> dict[str, Any]:
    payload = assertion.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def token_endpoint(request: Request) -> JSONResponse:
    """What Google's OAuth token endpoint answers a service account's signed JWT grant with."""
    form = await request.form()
    assertion = str(form.get("assertion", ""))
    if form.get("grant_type") != JWT_BEARER or assertion.count(".") != 2:
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    claims = _claims(assertion)
    # The audience is Google's token endpoint whatever token_uri the key file names, as Google checks.
    if claims.get("iss") != SERVICE_ACCOUNT or claims.get("aud") != GOOGLE_TOKEN_AUDIENCE:
        return JSONResponse({"error": "invalid_grant", "claims": claims}, status_code=400)
    body: dict[str, Any] = {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
    return JSONResponse(body)
