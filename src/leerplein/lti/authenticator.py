"""The hub's login from the LMS: jupyterhub-ltiauthenticator's LTI13Authenticator (OIDC login
initiation, state, id_token signature, issuer, audience, expiry and nonce against its cookie),
plus what Leerplein needs:

- a nonce is accepted once: a captured launch (its form post and cookies) cannot be replayed;
- the LMS course must be mapped to a cohort (lti.yml) and the role must be student or docent;
- someone new gets a roster row and a system user (lti.people.admit);
- she lands on the page of the signed target_link_uri;
- every refusal is a Dutch page;
- the tool's public keys for the LMS at /hub/lti13/jwks."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from pathlib import Path

from jupyterhub.handlers import BaseHandler
from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.error import InvalidAudienceError, ValidationError
from ltiauthenticator.lti13.handlers import LTI13CallbackHandler, LTI13LoginInitHandler
from tornado import web
from traitlets import Unicode

from leerplein.lti.config import LtiError, load, private_dir

NONCES_FILE = "nonces.json"
NONCE_KEEP = 3600  # longer than the validator's max_age (600 s): an older token is refused anyway


class LtiRefused(web.HTTPError):
    """A refusal the student reads (hub/templates/error.html shows `leerplein_message`)."""

    def __init__(self, status: int, message: str, detail: str = ""):
        super().__init__(status, "LTI launch refused: %s", detail or message)
        self.leerplein_message = message


GENERIC = ("De aanmelding vanuit de leeromgeving kon niet worden gecontroleerd. Open Leerplein opnieuw via de "
           "link in je cursus in de leeromgeving.")
WRONG_AUDIENCE = ("Deze aanmelding is voor een ander programma bedoeld, niet voor Leerplein. Open Leerplein via de "
                  "link in je cursus in de leeromgeving.")
USE_THE_LMS = "Inloggen op Leerplein gaat via je leeromgeving: open de link naar Leerplein in je cursus daar."
REPLAYED = ("Deze aanmelding is al gebruikt. Open Leerplein opnieuw via de link in je cursus in de leeromgeving.")


def use_nonce(state: Path, nonce: str, now: float | None = None) -> bool:
    """Record a nonce; False when it was used before (kept for NONCE_KEEP seconds)."""
    from leerplein.course.course import write_atomic
    from leerplein.lti.launch import locked

    now = now or time.time()
    key = hashlib.sha256(nonce.encode()).hexdigest()
    path = private_dir(state) / NONCES_FILE
    with locked(state):
        try:
            seen = {k: t for k, t in json.loads(path.read_text()).items() if t > now - NONCE_KEEP}
        except (OSError, ValueError):
            seen = {}
        if key in seen:
            return False
        seen[key] = now
        write_atomic(path, json.dumps(seen))
        path.chmod(0o600)
    return True


class LeerpleinLoginHandler(LTI13LoginInitHandler):
    def post(self):
        try:
            return super().post()
        except web.HTTPError as err:  # not a login initiation from the LMS (a bookmark, a typed address)
            raise LtiRefused(400, USE_THE_LMS, str(err)) from err

    get = post

    def _set_oauth_cookie(self, key: str, value):
        """The LMS posts the launch back cross-site: on https the state and nonce cookies must be
        SameSite=None to come along (they are encrypted, httponly and live one day)."""
        extra = {"samesite": "None", "secure": True} if self.authenticator.uri_scheme == "https" else {}
        self._set_cookie(key, value, expires_days=1, httponly=True, encrypted=True, **extra)


class LeerpleinCallbackHandler(LTI13CallbackHandler):
    def decode_and_validate_launch_request(self):
        try:
            id_token = super().decode_and_validate_launch_request()
        except InvalidAudienceError as err:
            raise LtiRefused(401, WRONG_AUDIENCE, str(err)) from err
        except (ValidationError, web.HTTPError) as err:
            raise LtiRefused(400, GENERIC, str(err)) from err
        if not use_nonce(Path(self.authenticator.state_dir), str(id_token.get("nonce"))):
            raise LtiRefused(400, REPLAYED, "nonce used before")
        self.leerplein_verified = id_token
        return id_token

    def get_next_url(self, user=None):
        target = getattr(self, "leerplein_target", None)
        return target or super().get_next_url(user)


class ToolJwksHandler(BaseHandler):
    """The tool's public key set, for the LMS to check the tool's signed requests."""

    def get(self):
        from leerplein.lti.keys import public_jwks

        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "max-age=300")
        self.finish(json.dumps(public_jwks(Path(self.authenticator.state_dir))))


class LeerpleinLTIAuthenticator(LTI13Authenticator):
    login_service = "je leeromgeving"
    login_handler = LeerpleinLoginHandler
    callback_handler = LeerpleinCallbackHandler
    state_dir = Unicode(config=True, help="the hub's state folder (state/lti holds lti.yml, keys, links)")

    def get_handlers(self, app):
        return [*super().get_handlers(app), (r"/lti13/jwks", ToolJwksHandler)]

    async def authenticate(self, handler, data=None):
        from leerplein.lti.people import admit

        # JupyterHub's own /hub/login form also ends up here, with whatever fields were posted:
        # only a launch whose id_token the callback verified just now logs anyone in
        if not isinstance(handler, LeerpleinCallbackHandler) or getattr(handler, "leerplein_verified", None) is not data:
            raise LtiRefused(403, USE_THE_LMS, "authenticate() called without a verified launch")
        state = Path(self.state_dir)
        try:
            config = load(state)
            if config is None:
                raise LtiError("Inloggen via de leeromgeving is niet ingesteld.")
            username, launch = await asyncio.get_running_loop().run_in_executor(None, admit, state, config, data or {})
        except LtiError as err:
            context = ((data or {}).get("https://purl.imsglobal.org/spec/lti/claim/context") or {}).get("id")
            raise LtiRefused(403, str(err), f"LMS course (context id) {context!r}: {err}") from err
        handler.leerplein_target = launch.target
        return {"name": username}

    def check_allowed(self, username, authentication=None):
        """Allowed: who is on the roster now (a launch just added someone new)."""
        from leerplein.hub.people import read_people

        return username in read_people(Path(self.state_dir))
