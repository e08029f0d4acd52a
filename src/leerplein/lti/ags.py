"""Assignment and Grade Services 2.0: find or make a line item per Leerplein assignment (and
one for the pass result), and post a score to it."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

import requests

from leerplein.lti.token import TIMEOUT, ServiceUnavailable

SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
          "https://purl.imsglobal.org/spec/lti-ags/scope/score"]
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
PASS_RESOURCE = "leerplein-geslaagd"


def _call(method: str, url: str, token: str, http=requests, **kwargs):
    try:
        r = http.request(method, url, timeout=TIMEOUT, headers={"Authorization": f"Bearer {token}",
                                                                 **kwargs.pop("headers", {})}, **kwargs)
        r.raise_for_status()
        return r
    except requests.RequestException as err:
        raise ServiceUnavailable(f"{method} {url}: {type(err).__name__}: {err}"[:300]) from err


def lineitem(lineitems_url: str, token: str, resource_id: str, label: str, maximum: float, http=requests) -> str:
    """The line item's URL for this resource (made when the LMS has none yet)."""
    found = _call("GET", lineitems_url, token, http, params={"resource_id": resource_id},
                  headers={"Accept": LINEITEMS}).json()
    for item in found if isinstance(found, list) else []:
        if item.get("resourceId") == resource_id and item.get("id"):
            return item["id"]
    made = _call("POST", lineitems_url, token, http, headers={"Content-Type": LINEITEM, "Accept": LINEITEM},
                 json={"label": label, "scoreMaximum": maximum, "resourceId": resource_id, "tag": "leerplein"})
    return made.json()["id"]


def scores_url(lineitem_url: str) -> str:
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def post_score(lineitem_url: str, token: str, user_id: str, given: float, maximum: float, comment: str = "",
               http=requests) -> None:
    body = {"userId": user_id, "scoreGiven": given, "scoreMaximum": maximum, "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}
    if comment:
        body["comment"] = comment
    _call("POST", scores_url(lineitem_url), token, http, headers={"Content-Type": SCORE}, json=body)
