"""An access token for the LMS's services (NRPS, AGS): OAuth 2 client credentials with a JWT
client assertion signed by the tool's private key (1EdTech Security Framework, 4.1)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import jwt
import requests

from leerplein.lti.config import LtiConfig
from leerplein.lti.keys import key_id, private_key

TIMEOUT = 15


class ServiceUnavailable(RuntimeError):
    """The LMS did not answer as it should; try again later."""


def client_assertion(state: Path, config: LtiConfig) -> str:
    key = private_key(state)
    now = int(time.time())
    claims = {"iss": config.client_ids[0], "sub": config.client_ids[0], "aud": config.token_audience,
              "iat": now, "exp": now + 300, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": key_id(key.public_key())})


def access_token(state: Path, config: LtiConfig, scopes: list[str], http=requests) -> str:
    try:
        r = http.post(config.token_url, timeout=TIMEOUT, data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client_assertion(state, config), "scope": " ".join(scopes)})
        r.raise_for_status()
        return r.json()["access_token"]
    except (requests.RequestException, ValueError, KeyError) as err:
        raise ServiceUnavailable(f"token: {type(err).__name__}: {err}"[:300]) from err
