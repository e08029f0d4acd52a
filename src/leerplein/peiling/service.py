"""Peiling's web service (tornado): participants join with a code, the projector view shows
live results, the facilitator runs the session. The same app runs standalone (`leerplein
peiling start`), as a JupyterHub service (`leerplein hub start`) and on Kubernetes.

Live updates use server-sent events: every answer wakes the listeners of its session. The
facilitator's screens (session page, projector) and a few projector pages per poll get the new
results at most every LIVE_INTERVAL seconds, participants' phones at most every
PARTICIPANT_INTERVAL: a hall of 1,000 phones each redrawn 20 times a second would cost the service
(and the Wi-Fi) 20,000 messages a second.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import secrets
import time
from collections import Counter, defaultdict, deque
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from tornado import web
from tornado.iostream import StreamClosedError

from leerplein import spreadsheet
from leerplein.peiling.access import (STANDALONE, Facilitator, JoinBudget, People, StreamSlots, client_address,
                                      is_loopback, may_manage, socket_owner)
from leerplein.peiling.model import KINDS, PeilingError
from leerplein.peiling.store import Store
from leerplein.service_base import TOKEN_CACHE_SECONDS, ServiceHandler
from leerplein.student.nav import service_header

HERE = Path(__file__).parent
TEMPLATES = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))
TEMPLATES.globals["kop"] = service_header()  # the student's way back to her Leerplein, and logout
LIVE_INTERVAL = 0.05  # seconds between two updates of a facilitator's screen
PARTICIPANT_INTERVAL = 1.0  # seconds between two updates of a participant's results
FAST_SCREENS_PER_POLL = 5  # projector pages opened without the facilitator's login (the venue's beamer PC)
DEVICE_COOKIE, FACILITATOR_COOKIE = "peiling-apparaat", "peiling-begeleider"


class RateLimit:
    """At most `limit` events per `window` seconds per key (a sliding window)."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self.events: dict[str, deque] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now, seen = time.monotonic(), self.events[key]
        while seen and now - seen[0] > self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        if len(self.events) > 50_000:  # forget idle keys rather than grow without end
            for k in [k for k, v in self.events.items() if not v][:10_000]:
                del self.events[k]
        return True


class Live:
    """Wakes the listeners of a session when its answers or its state change."""

    def __init__(self):
        self.versions: dict[str, int] = defaultdict(int)
        self.waiters: dict[str, set[asyncio.Future]] = defaultdict(set)
        self.cache: dict[str, tuple[int, str]] = {}

    def message(self, store: Store, code: str) -> str:
        """The event for the session's current version, computed once for all its listeners."""
        version = self.versions[code]
        cached = self.cache.get(code)
        if cached and cached[0] == version:
            return cached[1]
        text = f"data: {json.dumps(session_payload(store, code), ensure_ascii=False)}\n\n"
        self.cache[code] = (version, text)
        return text

    def changed(self, code: str) -> None:
        self.versions[code] += 1
        for fut in self.waiters.pop(code, set()):
            if not fut.done():
                fut.set_result(True)

    async def wait(self, code: str, version: int, timeout: float) -> int:
        if self.versions[code] == version:
            fut = asyncio.get_running_loop().create_future()
            self.waiters[code].add(fut)
            try:
                await asyncio.wait_for(fut, timeout)
            except asyncio.TimeoutError:
                self.waiters[code].discard(fut)
        return self.versions[code]


def session_payload(store: Store, code: str) -> dict:
    session = store.get(code)
    return {"sessie": session.public(), "resultaten": store.results(code).as_dict()}


class Base(ServiceHandler):

    def show(self, template: str, status: int = 200, **context) -> None:
        self.set_status(status)
        context.update(prefix=self.prefix, static=self.prefix + "static/", xsrf_form_html=self.xsrf_form_html,
                       soorten=KINDS)
        self.finish(TEMPLATES.get_template(template).render(**context))

    def write_error(self, status_code: int, **kwargs) -> None:
        error = kwargs.get("exc_info", (None, None))[1]
        if status_code == 403 and "XSRF" in str(error):
            text = "Dit formulier is verlopen of komt niet van deze pagina. Laad de pagina opnieuw en probeer het nog eens."
        else:
            text = {403: "Dit mag je niet openen.", 404: "Deze pagina bestaat niet.",
                    429: "Rustig aan: je stuurt te veel in korte tijd. Wacht even en probeer het opnieuw."}.get(
                status_code, "Er ging iets mis. Probeer het opnieuw.")
        self.show("fout.html", status=status_code, melding=text)

    def device(self, create: bool = False) -> str | None:
        value = self.get_signed_cookie(DEVICE_COOKIE, max_age_days=2)
        if value:
            return value.decode()
        if not create:
            return None
        if not self.settings["joins"].allow(self.client_address()):
            raise web.HTTPError(429)
        device = secrets.token_urlsafe(16)
        self.set_signed_cookie(DEVICE_COOKIE, device, expires_days=1, httponly=True, samesite="Lax",
                               path=self.prefix)
        return device

    def client_address(self) -> str:
        """The client's address as the hub's proxy saw it; never a header the client wrote."""
        hops = self.settings["proxy_hops"] if self.from_proxy() else 0
        return client_address(self.request.remote_ip or "?", self.request.headers.get("X-Forwarded-For"), hops)

    def from_proxy(self) -> bool:
        """Is the peer the hub's proxy? On this machine a student's own code can connect to our port
        past the proxy and write X-Forwarded-For herself, so a local peer must be a socket owned by
        the proxy's uid (asked once per connection; the proxy keeps its connections alive)."""
        proxy_uid = self.settings["proxy_uid"]
        stream = getattr(self.request.connection, "stream", None)
        if proxy_uid is None or stream is None or stream.socket is None:
            return True
        known = getattr(stream, "_leerplein_from_proxy", None)
        if known is None:
            try:
                peer, local = stream.socket.getpeername()[:2], stream.socket.getsockname()[:2]
            except OSError:
                return False
            known = not is_loopback(peer[0]) or socket_owner(peer, local) == proxy_uid
            stream._leerplein_from_proxy = known
        return known

    def device_if_possible(self, session) -> None:
        """A device cookie for a page that shows the live stream (projector, facilitator), so the stream
        counts per device rather than against the small cap for streams without one."""
        if self.manages(session):
            self.settings["joins"].mark_hall(self.client_address())  # the hall is where the facilitator is
        try:
            self.device(create=True)
        except web.HTTPError:
            pass  # too many new devices from this address just now: the page still works

    # who is the facilitator: a teacher (or admin) on the hub, or whoever holds this start's token
    def facilitator(self) -> Facilitator | None:
        if self.settings.get("hub_auth") is not None:
            return self.settings["people"].facilitator(self.hub_user())
        cookie = self.get_signed_cookie(FACILITATOR_COOKIE, max_age_days=1)
        mark = self.settings["facilitator_mark"]
        return STANDALONE if mark and cookie and secrets.compare_digest(cookie, mark) else None

    def manages(self, session) -> bool:
        return may_manage(self.facilitator(), session)

    def may_follow(self, session) -> bool:
        """A course-only poll is for the members of its course (and whoever manages it)."""
        if not session.alleen_cursus or self.manages(session):
            return True
        if self.settings.get("hub_auth") is None:
            return False  # the standalone Peiling knows no course members
        return self.settings["people"].member(self.hub_user(), session.cursus)

    def refuse_outsider(self) -> None:
        """Not a member of a course-only poll: the hub's login first, or a clear no."""
        if self.settings.get("hub_auth") is not None and not self.hub_user() and self.request.method == "GET":
            self.redirect(self.settings["hub_login"](self))
        else:
            self.show("fout.html", status=403, melding="Deze peiling is alleen voor deelnemers van de cursus.")
        raise web.Finish()

    def hub_user(self) -> str | None:
        hub_auth = self.settings.get("hub_auth")
        user = hub_auth.get_user(self) if hub_auth is not None else None
        return user.get("name") if user else None

    def require_facilitator(self) -> Facilitator:
        who = self.facilitator()
        if who:
            return who
        if self.settings.get("hub_auth") is not None and not self.hub_user():
            self.redirect(self.settings["hub_login"](self))  # not logged in yet: the hub's login first
        elif self.settings.get("hub_auth") is not None:
            self.show("fout.html", status=403, melding="Alleen de begeleider (een docent van de cursus) kan dit openen.")
        else:
            self.show("fout.html", status=403, melding="Alleen de begeleider kan dit openen. Gebruik de link met de "
                                                        "sleutel die bij het starten van Peiling werd getoond.")
        raise web.Finish()

    def managed_session(self, code):
        """The poll, if this facilitator may run it (its course's teachers, or an admin)."""
        who = self.require_facilitator()
        try:
            session = self.store.get(code)
        except PeilingError as err:
            self.show("fout.html", status=404, melding=str(err))
            raise web.Finish() from err
        if not may_manage(who, session):
            self.show("fout.html", status=403, melding="Deze peiling hoort bij een andere cursus. Alleen de docenten "
                                                        "van die cursus kunnen hem openen.")
            raise web.Finish()
        return session


class JoinHandler(Base):
    def get(self):
        code = self.get_query_argument("code", "").strip().upper().replace(" ", "")
        if code:
            try:
                self.store.get(code)
            except PeilingError as err:
                return self.show("meedoen.html", status=404, probleem=str(err), code=code[:12])
            return self.redirect(f"{self.prefix}p/{code}")
        self.show("meedoen.html", probleem="", code="")


class ParticipantHandler(Base):
    def session_or_error(self, code):
        try:
            return self.store.get(code)
        except PeilingError as err:
            self.show("meedoen.html", status=404, probleem=str(err), code=code[:12])
            raise web.Finish() from err

    def question_index(self, session) -> int:
        """The facilitator's question, or in a self-paced poll the one the participant chose."""
        if not session.eigen_tempo:
            return session.huidige
        try:
            index = int(self.get_argument("vraag", "0"))
        except ValueError:
            index = 0
        return min(max(index, 0), len(session.vragen) - 1)

    def page(self, session, index: int, device, status: int = 200, melding: str = "", probleem: str = ""):
        mine = self.store.my_answer(session.code, index, device) if device else None
        self.show("deelnemer.html", status=status, sessie=session, nummer=index, vraag=session.vragen[index],
                  mijn=mine, melding=melding, probleem=probleem)

    def get(self, code):
        session = self.session_or_error(code)
        if not self.may_follow(session):
            self.refuse_outsider()
        self.page(session, self.question_index(session), self.device(create=True))

    def post(self, code):
        session = self.session_or_error(code)
        if not self.may_follow(session):
            self.refuse_outsider()
        device = self.device()
        if not device:
            return self.page(session, session.huidige, None, status=400,
                             probleem="Je telefoon of browser is niet herkend. Open de peiling opnieuw met de code en "
                                      "probeer het nog eens.")
        if not self.settings["answers"].allow(self.store.device_key(device)):
            raise web.HTTPError(429)
        try:
            index = int(self.get_body_argument("vraag", "-1"))
        except ValueError:
            index = -1
        raw = self.get_body_argument("antwoord", "")[:2000]
        go = self.get_body_argument("ga", "")  # self-paced: Vorige/Volgende sends the chosen answer along
        target = min(int(go), len(session.vragen) - 1) if session.eigen_tempo and go.isdigit() else None
        if target is not None and not raw.strip():
            return self.page(session, target, device)  # nothing chosen: just move on, nothing to lose
        if self.store.my_answer(session.code, index, device) is None and not self.settings["new_answers"].allow(
                f"{session.code}:{index}:{self.client_address()}"):
            raise web.HTTPError(429)  # one address cannot fill a question's answer cap on its own
        try:
            self.store.answer(session.code, index, device, raw)
        except PeilingError as err:
            session = self.store.get(session.code)
            if not session.eigen_tempo and 0 <= index < session.huidige:
                # too late: not her mistake, and not a red message that stays on the next question
                return self.page(session, session.huidige, device,
                                 melding="Je antwoord kwam te laat: die vraag is voorbij. Hier is de vraag van nu.")
            shown = index if session.eigen_tempo and 0 <= index < len(session.vragen) else session.huidige
            return self.page(session, shown, device, status=400, probleem=str(err))
        self.settings["live"].changed(session.code)
        session = self.store.get(session.code)
        if target is not None:
            return self.page(session, target, device, melding=f"Je antwoord op vraag {index + 1} is bewaard.")
        if session.eigen_tempo:  # on to the next question, or done
            last = index + 1 >= len(session.vragen)
            text = ("Dank je! Dat was de laatste vraag. Je kunt je antwoorden nog veranderen tot de peiling sluit."
                    if last else "Dank je! Je antwoord is ontvangen. Hier is de volgende vraag.")
            return self.page(session, index if last else index + 1, device, melding=text)
        text = ("Dank je! Je antwoord is ontvangen. De begeleider laat het zien als het is goedgekeurd."
                if session.question.soort == "open" else "Dank je! Je antwoord is ontvangen.")
        self.page(session, session.huidige, device, melding=text)


class StreamHandler(Base):
    """Server-sent events: the session's state and results, each time they change."""

    async def get(self, code):
        try:
            session = self.store.get(code)
        except PeilingError as err:
            raise web.HTTPError(404) from err
        if session.eigen_tempo and not self.manages(session):
            raise web.HTTPError(403)  # an evaluation's results are for its facilitators only
        if not self.may_follow(session):
            raise web.HTTPError(403)
        slot = self.settings["streams"].take(session.code, self.client_address(), self.device())
        if slot is None:
            raise web.HTTPError(429)
        screen = not self.manages(session) and self.fast_screen(session.code)
        interval = LIVE_INTERVAL if screen or self.manages(session) else PARTICIPANT_INTERVAL
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("X-Accel-Buffering", "no")
        live, key, sent = self.settings["live"], session.code, -1
        try:
            while True:
                current = live.versions[key]
                if current != sent:
                    sent = current
                    self.write(live.message(self.store, key))
                    await self.flush()
                    await asyncio.sleep(interval)  # answers arriving meanwhile go out together
                    continue
                if await live.wait(key, sent, 15) == sent:
                    self.write(": blijf verbonden\n\n")  # keeps proxies from closing an idle stream
                    await self.flush()
        except (StreamClosedError, PeilingError):
            pass
        finally:
            self.settings["streams"].release(slot)
            if screen:
                self.settings["fast_screens"][session.code] -= 1

    def fast_screen(self, code: str) -> bool:
        """A projector page (`?scherm=1`, which anyone may write) gets the fast updates while the poll has
        fewer than FAST_SCREENS_PER_POLL of them: a script that takes them all slows the beamer to once a
        second, nothing more; the facilitator's own screens are always fast."""
        held = self.settings["fast_screens"]
        if self.get_query_argument("scherm", "") != "1" or held[code] >= FAST_SCREENS_PER_POLL:
            return False
        held[code] += 1
        return True


class ProjectorHandler(Base):
    def get(self, code):
        try:
            session = self.store.get(code)
        except PeilingError as err:
            return self.show("fout.html", status=404, melding=str(err))
        if session.eigen_tempo and not self.manages(session):
            return self.show("fout.html", status=403, melding="De uitslag van deze peiling is alleen voor de "
                                                               "begeleider. Beantwoord de vragen met de code.")
        if not self.may_follow(session):
            self.refuse_outsider()
        self.device_if_possible(session)
        join = self.join_url()
        self.show("scherm.html", sessie=session, join=join, qr=qr_data_uri(f"{join}?code={session.code}"),
                  data=json.dumps(session_payload(self.store, code), ensure_ascii=False))

    def join_url(self) -> str:
        """On the hub: its public address (LEERPLEIN_PEILING_PUBLIC_URL, from `hub start --public-url`);
        standalone without one: the address this browser used."""
        from leerplein.hub.public import hub_link

        public = self.settings.get("public_url")
        if not public:
            protocol = self.request.protocol
            if self.settings["proxy_hops"]:  # behind the hub's proxy: what the participant's browser used
                forwarded = (self.request.headers.get("X-Forwarded-Proto") or "").split(",")[0].strip()
                protocol = forwarded if forwarded in ("http", "https") else protocol
            public = f"{protocol}://{self.request.host}"
        return hub_link(public, self.prefix)


def qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=8, border=2, dark="#111", light="#fff")


class FacilitatorLogin(Base):
    def get(self):
        token = self.get_query_argument("sleutel", "")
        expected = self.settings.get("facilitator_token") or ""
        if expected and secrets.compare_digest(token.encode(), expected.encode()):
            self.set_signed_cookie(FACILITATOR_COOKIE, self.settings["facilitator_mark"], expires_days=1, httponly=True, samesite="Strict",
                                   path=self.prefix)
            return self.redirect(f"{self.prefix}begeleider")
        self.show("fout.html", status=403, melding="Deze sleutel klopt niet. Gebruik de link die bij het starten van "
                                                    "Peiling werd getoond.")


class FacilitatorHome(Base):
    def visible(self, who: Facilitator) -> list:
        return [s for s in self.store.sessions() if may_manage(who, s)]

    def page(self, who: Facilitator, status: int = 200, probleem: str = "") -> None:
        # a teacher of several cohorts chooses one per poll; one cohort (or standalone): no choice shown
        self.show("begeleider.html", status=status, sessies=self.visible(who), plannen=self.settings["plans"](),
                  probleem=probleem, groepen=[g for g in who.choices if g], gekozen=self.get_body_argument("cursus", ""))

    def get(self):
        self.page(self.require_facilitator())

    def post(self):
        who = self.require_facilitator()
        plan_id = self.get_body_argument("plan", "")
        try:
            try:
                owner = dict(eigenaar=who.name, cursus=who.chosen(self.get_body_argument("cursus", "")))
            except ValueError as err:
                raise PeilingError(str(err)) from None
            if plan_id:
                plan = {p["id"]: p for p in self.settings["plans"]()}.get(plan_id)
                if not plan:
                    raise PeilingError("Dit sessieplan bestaat niet.")
                session = self.store.create(plan["titel"], plan["peiling"], plan=plan_id,
                                            alleen_cursus=self.get_body_argument("alleen_cursus", "") == "ja",
                                            eigen_tempo=plan.get("eigen_tempo", False)
                                            or self.get_body_argument("eigen_tempo", "") == "ja", **owner)
            else:
                session = self.store.create(self.get_body_argument("titel", ""),
                                            parse_free_questions(self.get_body_argument("vragen", "")),
                                            alleen_cursus=self.get_body_argument("alleen_cursus", "") == "ja",
                                            eigen_tempo=self.get_body_argument("eigen_tempo", "") == "ja", **owner)
        except PeilingError as err:
            return self.page(who, 400, str(err))
        self.redirect(f"{self.prefix}begeleider/{session.code}")


def parse_free_questions(text: str) -> list[dict]:
    """One question per line: `keuze: Vraag? | A | B`, `schaal: Vraag`, `woorden: Vraag`, `open: Vraag`."""
    out = []
    for line in text.splitlines()[:30]:
        if not line.strip():
            continue
        kind, sep, rest = line.partition(":")
        if not sep:
            raise PeilingError(f"Begin elke regel met de soort vraag ({', '.join(KINDS)}), dan een dubbele punt.")
        parts = [p.strip() for p in rest.split("|")]
        out.append({"soort": kind.strip().lower(), "tekst": parts[0], "opties": parts[1:]})
    return out


class FacilitatorSession(Base):
    def get(self, code):
        session = self.managed_session(code)
        self.device_if_possible(session)
        self.show("sessie.html", sessie=session, resultaten=self.store.results(code), wachtend=self.store.pending(code),
                  melding=self.get_query_argument("melding", "")[:200], probleem="")

    def post(self, code):
        self.managed_session(code)
        action = self.get_body_argument("actie", "")
        store, message = self.store, ""
        try:
            session = store.get(code)
            if action == "volgende":
                store.show(code, min(session.huidige + 1, len(session.vragen) - 1))
            elif action == "vorige":
                store.show(code, max(session.huidige - 1, 0))
            elif action == "sluiten":
                store.set_status(code, "gesloten")
                message = "De peiling is gesloten. Deelnemers kunnen niet meer antwoorden."
            elif action == "openen":
                store.set_status(code, "open")
            elif action in ("goedkeuren", "afwijzen"):
                store.moderate(code, self.get_body_argument("antwoord", ""), action == "goedkeuren")
            elif action == "verwijderen":
                if self.get_body_argument("bevestig", "").strip().upper() != session.code:
                    raise PeilingError(f"Typ de code {session.code} om te bevestigen dat je alles wilt verwijderen.")
                if session.status != "gesloten":
                    raise PeilingError("Sluit de peiling eerst; daarna kun je hem verwijderen.")
                store.delete(code)
                self.settings["live"].changed(session.code)
                return self.redirect(f"{self.prefix}begeleider")
            else:
                raise PeilingError("Onbekende actie.")
        except PeilingError as err:
            try:
                session = store.get(code)
            except PeilingError:
                return self.show("fout.html", status=404, melding=str(err))
            return self.show("sessie.html", status=400, sessie=session, resultaten=store.results(code),
                             wachtend=store.pending(code), melding="", probleem=str(err))
        self.settings["live"].changed(session.code)
        self.redirect(f"{self.prefix}begeleider/{session.code}" + (f"?melding={quote(message)}" if message else ""))


class ExportHandler(Base):
    def get(self, code, kind):
        session = self.managed_session(code)
        if kind == "csv":
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.set_header("Content-Disposition", f'attachment; filename="peiling-{session.code}.csv"')
            return self.finish(export_csv(self.store, session.code))
        self.set_header("Content-Type", "image/png")
        self.set_header("Content-Disposition", f'attachment; filename="peiling-{session.code}.png"')
        self.finish(export_png(self.store, session.code))


def export_csv(store: Store, code: str) -> str:
    """Totals only (and the approved open answers): nothing per person."""
    session = store.get(code)
    out = io.StringIO()
    writer = spreadsheet.writer(out, delimiter=";")  # no formulas from participants' words
    writer.writerow(["vraag_nummer", "vraag", "soort", "antwoord", "aantal"])
    for i, q in enumerate(session.vragen, 1):
        res = store.results(code, i - 1)
        rows = [(label, n) for label, n in res.rijen] if res.soort != "open" else [(t, 1) for t in res.teksten]
        for label, n in rows or [("", 0)]:
            writer.writerow([i, q.tekst, KINDS[q.soort], label, n])
    return "\ufeff" + out.getvalue()  # BOM: Excel opens it as UTF-8


def export_png(store: Store, code: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    session = store.get(code)
    charts = [(q, store.results(code, i)) for i, q in enumerate(session.vragen) if q.soort != "open"]
    fig, axes = plt.subplots(max(len(charts), 1), 1, figsize=(8, 2.4 * max(len(charts), 1)), squeeze=False)
    for ax, (q, res) in zip(axes[:, 0], charts):
        rows = res.rijen[:12]
        labels = [label[:40] for label, _ in rows][::-1]
        ax.barh(labels, [n for _, n in rows][::-1], color="#1a5fb4")
        ax.set_title(f"{q.tekst[:80]} ({res.aantal} antwoorden)", fontsize=9, loc="left")
        ax.tick_params(labelsize=8)
        ax.xaxis.get_major_locator().set_params(integer=True)
    if not charts:
        axes[0, 0].text(0.5, 0.5, "Deze peiling heeft alleen open vragen.", ha="center")
        axes[0, 0].axis("off")
    fig.suptitle(f"{session.titel}", fontsize=11)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def load_plans() -> list[dict]:
    try:
        from leerplein.paths import find_root
        from leerplein.sessies.plans import load_plans as load

        from leerplein.sessies.plans import load_evaluation

        root = find_root()
        plans = [{"id": p.id, "titel": p.titel, "peiling": p.peiling} for p in load(root)]
        evaluation = load_evaluation(root)
        return [*plans, evaluation] if evaluation else plans
    except Exception:  # noqa: BLE001 - without the course repository there are only free polls
        return []


def make_app(store: Store, *, prefix: str = "/", cookie_secret: bytes, facilitator_token: str = "",
             hub_auth=None, facilitators: set[str] = frozenset(), people: People | None = None,
             public_url: str = "", plans=load_plans, joins: JoinBudget | None = None,
             streams: StreamSlots | None = None, proxy_hops: int | None = None,
             new_answers_per_address: int = 1500, proxy_uid: int | None = None) -> web.Application:
    """`people`: roles and courses (access.People); `proxy_hops`: how many X-Forwarded-For
    entries, from the right, proxies we run appended (default: 1 behind the hub, else 0);
    `proxy_uid`: a local peer's socket must belong to this uid for those entries to count;
    `joins`: how many new devices an address may add (access.JoinBudget)."""
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    code = r"([A-Za-z0-9]{1,12})"
    handlers = [
        (prefix, JoinHandler),
        (prefix + rf"p/{code}", ParticipantHandler),
        (prefix + rf"p/{code}/stroom", StreamHandler),
        (prefix + rf"scherm/{code}", ProjectorHandler),
        (prefix + "begeleider", FacilitatorHome),
        (prefix + "begeleider/inloggen", FacilitatorLogin),
        (prefix + rf"begeleider/{code}", FacilitatorSession),
        (prefix + rf"begeleider/{code}/export\.(csv|png)", ExportHandler),
        (prefix + "static/(.*)", web.StaticFileHandler, {"path": str(HERE / "static")}),
    ]
    settings = dict(store=store, prefix=prefix, cookie_secret=cookie_secret, xsrf_cookies=True,
                    xsrf_cookie_kwargs={"httponly": True, "samesite": "Lax", "path": prefix},
                    facilitator_token=facilitator_token, hub_auth=hub_auth,
                    people=people or People(None, set(facilitators)),
                    # the standalone facilitator's cookie holds this start's token, hashed: a restart
                    # with a new link makes the old cookie worthless
                    facilitator_mark=hashlib.sha256(b"peiling-begeleider:" + facilitator_token.encode()).hexdigest()
                    .encode() if facilitator_token else b"",
                    proxy_hops=(1 if hub_auth is not None else 0) if proxy_hops is None else proxy_hops,
                    proxy_uid=proxy_uid,
                    public_url=public_url, plans=plans, live=Live(), streams=streams or StreamSlots(),
                    answers=RateLimit(10, 10.0), joins=joins or JoinBudget(), fast_screens=Counter(),
                    # new answers per question per address and hour: a NAT hall of 1,000 fits, and the
                    # question's cap (store.MAX_ANSWERS_PER_QUESTION) stays out of one address's reach
                    new_answers=RateLimit(new_answers_per_address, 3600.0))
    if hub_auth is not None:
        from jupyterhub.services.auth import HubOAuthCallbackHandler

        handlers.append((prefix + "oauth_callback", HubOAuthCallbackHandler))
        settings["hub_login"] = hub_login_url
    return web.Application(handlers, **settings)


def hub_login_url(handler) -> str:
    """Start the hub's OAuth login and come back to this page (as HubOAuthenticated does)."""
    from tornado.httputil import url_concat

    hub_auth = handler.settings["hub_auth"]
    params, verifier = {}, None
    if hub_auth.pkce_enabled:
        verifier, challenge, method = hub_auth.generate_pkce_code_challenge()
        params.update(code_challenge=challenge, code_challenge_method=method)
    params["state"] = hub_auth.set_state_cookie(handler, next_url=handler.request.uri, code_verifier=verifier)
    return url_concat(hub_auth.login_url, params)


def stream_budget(wanted: int = 6000, spare: int = 256) -> int:
    """How many live streams this process can hold: the open-file limit raised as far as allowed,
    less some for the database, the hub and new requests."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted + spare if hard == resource.RLIM_INFINITY else min(hard, wanted + spare)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return max(1, min(wanted, (soft if soft != resource.RLIM_INFINITY else wanted + spare) - spare))


def main() -> None:
    """Entry point as a JupyterHub service: the hub starts it with its settings in the environment."""
    from urllib.parse import urlparse

    import tornado.ioloop

    from leerplein.peiling.state import open_state

    store, secret = open_state(Path(os.environ["LEERPLEIN_PEILING_STATE"]))
    hub_auth = None
    if os.environ.get("JUPYTERHUB_API_TOKEN"):
        from jupyterhub.services.auth import HubOAuth

        # the singleton: the OAuth callback handler looks up the login state in this same object
        hub_auth = HubOAuth.instance(api_token=os.environ["JUPYTERHUB_API_TOKEN"], cache_max_age=TOKEN_CACHE_SECONDS)
    facilitators = {n for n in os.environ.get("LEERPLEIN_PEILING_BEGELEIDERS", "").split(",") if n}
    state = Path(os.environ["LEERPLEIN_PEILING_STATE"])
    people = People.load(Path(os.environ.get("LEERPLEIN_PEILING_MENSEN") or state / "mensen.json"), facilitators)
    hops = int(os.environ.get("LEERPLEIN_PEILING_PROXY_HOPS", "1" if hub_auth is not None else "0"))
    # the hub's proxy runs as the hub's user (root on one machine): only its local connections may vouch
    proxy_uid = os.environ.get("LEERPLEIN_PEILING_PROXY_UID", "0" if hub_auth is not None else "")
    app = make_app(store, prefix=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"), cookie_secret=secret,
                   hub_auth=hub_auth, people=people, proxy_hops=hops, streams=StreamSlots(total=stream_budget()),
                   proxy_uid=int(proxy_uid) if proxy_uid else None,
                   public_url=os.environ.get("LEERPLEIN_PEILING_PUBLIC_URL", ""))
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8200"))
    # no xheaders: X-Real-IP and the left of X-Forwarded-For are the client's to write (Base.client_address)
    app.listen(url.port or 8200, address=url.hostname or "127.0.0.1")
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
