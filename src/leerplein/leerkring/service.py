"""The leerkring's web service, a JupyterHub service at /services/leerkring/. Every page needs
the hub login; what a user sees follows store.Store's rules. A separate service from Peiling on
purpose: Peiling is open to guests without an account and holds only anonymous tallies, the
leerkring holds personal stories from practice and is open to logged-in course members only.
Separate processes and databases keep one away from the other."""

from __future__ import annotations

import json
import os
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from tornado import web

from leerplein.leerkring.model import OPEN_QUESTIONS, LeerkringError, NotFound, check_question
from leerplein.leerkring.store import Store
from leerplein.peiling.service import hub_login_url
from leerplein.service_base import TOKEN_CACHE_SECONDS, ServiceHandler
from leerplein.student.nav import service_header

HERE = Path(__file__).parent
TEMPLATES = Environment(loader=FileSystemLoader([str(HERE / "templates"), str(HERE.parent / "peiling" / "templates")]),
                        autoescape=select_autoescape(["html"]))
TEMPLATES.globals["kop"] = service_header()  # the student's way back to her Leerplein, and logout


class Base(ServiceHandler):

    def get_current_user(self):
        model = self.settings["hub_auth"].get_user(self)
        return model["name"] if model else None

    def user(self) -> str:
        if not self.current_user:
            self.redirect(hub_login_url(self))
            raise web.Finish()
        return self.current_user

    def show(self, template: str, status: int = 200, **context) -> None:
        self.set_status(status)
        context.update(prefix=self.prefix, static=self.prefix + "static/", xsrf_form_html=self.xsrf_form_html,
                       gebruiker=self.current_user)
        self.finish(TEMPLATES.get_template(template).render(**context))

    def write_error(self, status_code: int, **kwargs) -> None:
        error = kwargs.get("exc_info", (None, None))[1]
        text = ("Dit formulier is verlopen of komt niet van deze pagina. Laad de pagina opnieuw."
                if status_code == 403 and "XSRF" in str(error) else
                {404: "Deze pagina bestaat niet."}.get(status_code, "Er ging iets mis. Probeer het opnieuw."))
        self.show("fout.html", status=status_code, melding=text)


class HomeHandler(Base):
    def get(self, probleem: str = "", status: int = 200):
        user = self.user()
        teacher = self.store.is_teacher(user)
        groepen = self.store.students_by_course(user) if teacher else {}
        self.show("kringen.html", status=status, kringen=self.store.kringen_van(user), docent=teacher,
                  groepen=groepen, gekozen=self.get_body_argument("cursus", "") if status != 200 else "",
                  probleem=probleem)

    def post(self):
        user = self.user()
        try:
            kring = self.store.create(user, self.get_body_argument("naam", ""), self.get_body_arguments("lid"),
                                      self.get_body_argument("cursus", ""))
        except LeerkringError as err:
            return self.get(str(err), 400)
        self.redirect(f"{self.prefix}kring/{kring.id}")


class KringHandler(Base):
    def render_kring(self, user, kring_id, status=200, **extra):
        try:
            kring = self.store.open(user, kring_id)
        except LeerkringError as err:
            return self.show("fout.html", status=403, melding=str(err))
        context = dict(kring=kring, posts=self.store.posts(user, kring_id), ik=user, begeleider=user == kring.begeleider,
                       lid=user in kring.leden, voorbeelden=OPEN_QUESTIONS, melding="", probleem="", hints=[],
                       concept={})
        context.update(extra)
        self.show("kring.html", status=status, **context)

    def get(self, kring_id):
        self.render_kring(self.user(), int(kring_id))

    def post(self, kring_id):
        user, kring_id = self.user(), int(kring_id)
        action = self.get_body_argument("actie", "")
        try:
            post_id = int(self.get_body_argument("post", "0") or 0)
        except ValueError:
            post_id = 0
        text = self.get_body_argument("tekst", "")[:20_000]
        try:
            if action == "vraagstuk":
                self.store.share_problem(user, kring_id, text)
                message = "Je vraagstuk staat in de kring. De anderen kunnen nu vragen stellen."
            elif action == "vraag":
                hints = check_question(text)
                if hints and self.get_body_argument("toch", "") != "ja":
                    self.store.open(user, kring_id)
                    return self.render_kring(user, kring_id, status=200, hints=hints,
                                             concept={"post": post_id, "tekst": text})
                self.store.ask(user, kring_id, post_id, text)
                message = "Je vraag is geplaatst."
            elif action in ("hielp", "hielp-niet"):
                self.store.mark_helpful(user, post_id, action == "hielp")
                message = ("Bewaard: je hebt aangegeven dat deze vraag je hielp." if action == "hielp"
                           else "Bewaard: je hebt aangegeven dat deze vraag je niet hielp.")
            elif action == "intrekken":
                self.store.withdraw(user, post_id)
                message = "Je bijdrage is ingetrokken. De tekst is gewist."
            elif action in ("verbergen", "tonen"):
                self.store.hide(user, post_id, action == "verbergen")
                message = ("Bewaard: de bijdrage is verborgen voor de kring." if action == "verbergen"
                           else "Bewaard: de bijdrage is weer zichtbaar voor de kring.")
            else:
                raise LeerkringError("Onbekende actie.")
        except LeerkringError as err:
            status = 404 if isinstance(err, NotFound) else 400
            return self.render_kring(user, kring_id, status=status, probleem=str(err),
                                     concept={"post": post_id, "tekst": text})
        self.render_kring(user, kring_id, melding=message)


class ShareHandler(Base):
    def get(self, kring_id, post_id):
        user = self.user()
        try:
            self.store.open(user, int(kring_id))
            text = self.store.export_own(user, int(post_id))
        except LeerkringError as err:
            return self.show("fout.html", status=404 if isinstance(err, NotFound) else 403, melding=str(err))
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Content-Disposition", 'attachment; filename="mijn-vraagstuk.txt"')
        self.finish(text)


def make_app(store: Store, *, prefix: str, cookie_secret: bytes, hub_auth) -> web.Application:
    from jupyterhub.services.auth import HubOAuthCallbackHandler

    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    return web.Application([
        (prefix, HomeHandler),
        (prefix + r"kring/(\d{1,9})", KringHandler),
        (prefix + r"kring/(\d{1,9})/bewaar/(\d{1,9})", ShareHandler),
        (prefix + "oauth_callback", HubOAuthCallbackHandler),
        (prefix + "static/(.*)", web.StaticFileHandler, {"path": str(HERE.parent / "peiling" / "static")}),
    ], store=store, prefix=prefix, cookie_secret=cookie_secret, xsrf_cookies=True, hub_auth=hub_auth,
        xsrf_cookie_kwargs={"httponly": True, "samesite": "Lax", "path": prefix})


def main() -> None:
    """As a JupyterHub service: the hub starts it with its settings in the environment."""
    from urllib.parse import urlparse

    import tornado.ioloop
    from jupyterhub.services.auth import HubOAuth

    from leerplein.peiling.state import state_secret

    state = Path(os.environ["LEERPLEIN_LEERKRING_STATE"])
    secret = state_secret(state)
    people = json.loads(Path(os.environ["LEERPLEIN_LEERKRING_MENSEN"]).read_text(encoding="utf-8"))
    store = Store(state / "leerkring.sqlite", people)
    hub_auth = HubOAuth.instance(api_token=os.environ["JUPYTERHUB_API_TOKEN"], cache_max_age=TOKEN_CACHE_SECONDS)
    app = make_app(store, prefix=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"), cookie_secret=secret,
                   hub_auth=hub_auth)
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8205"))
    app.listen(url.port or 8205, address=url.hostname or "127.0.0.1")  # no xheaders: the client writes those
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
