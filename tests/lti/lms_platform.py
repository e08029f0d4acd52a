"""A local LTI 1.3 platform (the LMS side) for tests, after the 1EdTech specs: OIDC login
initiation and authentication response (a form post with a signed id_token, RS256) and its
JWKS; resource-link launch claims; an OAuth 2 token endpoint for client credentials with a JWT
client assertion (checked against the tool's JWKS); NRPS memberships (paged with Link headers);
AGS line items and scores. `down = True` makes its services answer 503, to test retries."""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

C = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = {"https://purl.imsglobal.org/spec/lti-ags/scope/lineitem", "https://purl.imsglobal.org/spec/lti-ags/scope/score"}


class Platform:
    def __init__(self, client_id: str = "leerplein-tool", deployment_id: str = "dep-1", page_size: int = 2):
        self.client_id, self.deployment_id, self.page_size = client_id, deployment_id, page_size
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "platform-" + secrets.token_hex(4)
        self.down = False
        self.tool_jwks: str | dict = ""  # set by the test: the tool's JWKS URL (or the set itself)
        self.redirect_uris: set[str] = set()
        self.next_launch: dict = {}  # who logs in at the next /auth, and from where
        self.members: dict[str, list[dict]] = {}
        self.lineitems: dict[str, dict] = {}  # id (URL) -> line item
        self.scores: list[dict] = []  # every score accepted, with its line item
        self.tokens: dict[str, set] = {}
        self.token_requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    # --- what the admin copies into lti.yml
    @property
    def issuer(self) -> str:
        return self.url

    def lti_yml(self, contexts: dict[str, str], prefix: str = "s", claim: str = "studentnummer") -> str:
        return (f"platform:\n  issuer: {self.issuer}\n  client_id: {self.client_id}\n"
                f"  deployment_id: {self.deployment_id}\n  oidc_auth_url: {self.url}/auth\n"
                f"  jwks_url: {self.url}/jwks\n  token_url: {self.url}/token\n"
                f"gebruikersnaam:\n  claim: {claim}\n  voorvoegsel: {prefix}\n"
                "cursussen:\n" + "".join(f"  \"{k}\": {v}\n" for k, v in contexts.items()))

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    # --- launches
    def claims(self, user: dict, context_id: str, roles: list[str], target: str, nonce: str, **over) -> dict:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.client_id, "sub": user["sub"], "iat": now, "exp": now + 300,
            "nonce": nonce, "name": user.get("name", ""), "email": user.get("email", ""),
            C + "message_type": "LtiResourceLinkRequest", C + "version": "1.3.0",
            C + "deployment_id": self.deployment_id, C + "target_link_uri": target, C + "roles": roles,
            C + "resource_link": {"id": "link-" + context_id, "title": "Leerplein"},
            C + "context": {"id": context_id, "label": context_id.upper(), "title": f"Cursus {context_id}"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/nrps/{context_id}", "service_versions": ["2.0"]},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": sorted(AGS_SCOPES), "lineitems": f"{self.url}/ags/{context_id}/lineitems"},
        }
        if user.get("org_defined_id"):
            claims["http://www.brightspace.com"] = {"org_defined_id": user["org_defined_id"], "tenant_id": "t1"}
        claims.update(over)
        return claims

    def sign(self, claims: dict, key=None, kid: str | None = None) -> str:
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def login_initiation(self, hub_url: str, target: str, user: dict) -> str:
        """The link the LMS opens: the tool's OIDC login initiation URL (third-party initiated login)."""
        return f"{hub_url}/hub/lti13/oauth_login?" + urlencode({
            "iss": self.issuer, "login_hint": user["sub"], "target_link_uri": target,
            "lti_message_hint": secrets.token_hex(8), "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id})

    # --- services
    def _token_ok(self, headers, scope: str) -> bool:
        auth = headers.get("Authorization", "")
        return auth.startswith("Bearer ") and scope in self.tokens.get(auth[7:], set())

    def _check_assertion(self, assertion: str) -> None:
        found = self.tool_jwks if isinstance(self.tool_jwks, dict) else requests.get(self.tool_jwks, timeout=10).json()
        keys = jwt.PyJWKSet.from_dict(found)
        kid = jwt.get_unverified_header(assertion).get("kid")
        key = next(k for k in keys.keys if k.key_id == kid)
        claims = jwt.decode(assertion, key.key, algorithms=["RS256"], audience=f"{self.url}/token",
                            issuer=self.client_id)
        assert claims["sub"] == self.client_id and claims.get("jti")

    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body, ctype="application/json", headers=None):
                data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self):
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/jwks":
                    return self._send(200, platform.jwks())
                if url.path == "/auth":
                    return self._auth(q)
                if platform.down:
                    return self._send(503, {"error": "down"})
                if url.path.startswith("/nrps/"):
                    if not platform._token_ok(self.headers, NRPS_SCOPE):
                        return self._send(401, {"error": "token"})
                    context = url.path.split("/")[2]
                    everyone = platform.members.get(context, [])
                    start = int(q.get("from", 0))
                    page = everyone[start:start + platform.page_size]
                    headers = {}
                    if start + platform.page_size < len(everyone):
                        headers["Link"] = f'<{platform.url}/nrps/{context}?from={start + platform.page_size}>; rel="next"'
                    return self._send(200, {"id": platform.url + self.path, "context": {"id": context},
                                            "members": page}, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                                      headers)
                if url.path.endswith("/lineitems"):
                    if not platform._token_ok(self.headers, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"):
                        return self._send(401, {"error": "token"})
                    context = url.path.split("/")[2]
                    found = [i for i in platform.lineitems.values() if i["context"] == context
                             and (not q.get("resource_id") or i["resourceId"] == q["resource_id"])]
                    return self._send(200, [{k: v for k, v in i.items() if k != "context"} for i in found],
                                      "application/vnd.ims.lis.v2.lineitemcontainer+json")
                return self._send(404, {"error": "not found"})

            def _auth(self, q: dict):
                launch = platform.next_launch
                if (q.get("client_id") != platform.client_id or q.get("redirect_uri") not in platform.redirect_uris
                        or q.get("response_type") != "id_token" or q.get("scope") != "openid"
                        or q.get("login_hint") != launch.get("user", {}).get("sub") or not q.get("nonce")):
                    return self._send(400, {"error": "invalid_request", "got": q})
                claims = platform.claims(launch["user"], launch["context"], launch["roles"], launch["target"],
                                         q["nonce"], **launch.get("over", {}))
                token = platform.sign(claims)
                launch["posted"] = {"id_token": token, "state": q["state"], "redirect_uri": q["redirect_uri"]}
                page = (f"<!doctype html><title>LMS</title><form method=post action='{html.escape(q['redirect_uri'])}'>"
                        f"<input type=hidden name=id_token value='{token}'>"
                        f"<input type=hidden name=state value='{html.escape(q['state'])}'></form>"
                        "<script>document.forms[0].submit()</script>")
                return self._send(200, page, "text/html")

            def do_POST(self):
                url = urlparse(self.path)
                body = self._body()
                if platform.down:
                    return self._send(503, {"error": "down"})
                if url.path == "/token":
                    platform.token_requests += 1
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    try:
                        assert form["grant_type"] == "client_credentials"
                        assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                        platform._check_assertion(form["client_assertion"])
                    except Exception as err:  # noqa: BLE001
                        return self._send(401, {"error": "invalid_client", "detail": str(err)})
                    token = secrets.token_hex(16)
                    platform.tokens[token] = set(form.get("scope", "").split())
                    return self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})
                parts = url.path.split("/")
                if url.path.endswith("/lineitems"):
                    if not platform._token_ok(self.headers, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"):
                        return self._send(401, {"error": "token"})
                    item = json.loads(body)
                    item_id = f"{platform.url}/ags/{parts[2]}/lineitems/{uuid.uuid4().hex[:8]}"
                    platform.lineitems[item_id] = {**item, "id": item_id, "context": parts[2]}
                    return self._send(201, {**item, "id": item_id}, "application/vnd.ims.lis.v2.lineitem+json")
                if url.path.endswith("/scores"):
                    if not platform._token_ok(self.headers, "https://purl.imsglobal.org/spec/lti-ags/scope/score"):
                        return self._send(401, {"error": "token"})
                    item_id = platform.url + url.path[: -len("/scores")]
                    if item_id not in platform.lineitems or \
                            self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                        return self._send(400, {"error": "bad score"})
                    platform.scores.append({**json.loads(body), "lineitem": platform.lineitems[item_id]})
                    return self._send(200, {})
                return self._send(404, {"error": "not found"})

        return Handler

    def scores_for(self, user_id: str, resource: str | None = None) -> list[dict]:
        return [s for s in self.scores if s["userId"] == user_id
                and (resource is None or s["lineitem"]["resourceId"] == resource)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
