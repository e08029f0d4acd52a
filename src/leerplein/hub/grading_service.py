"""The rubric grading page as a JupyterHub-managed service: JupyterHub's OAuth decides who may
enter (the `leerplein-docent` role has `access:services!service=leerplein-grading`; students
get 403 from the hub)."""

from __future__ import annotations

import html
import os
from pathlib import Path
from urllib.parse import urlparse

import tornado.ioloop
import tornado.web
from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join

from leerplein.course.course import Course
from leerplein.course.grading.grading_app import Grade, Overview, make_app, page


class HubScope:
    """Need-to-know on the hub: only the teacher's own cohorts, and the audit trail names her."""

    def prepare(self):
        super().prepare()
        from leerplein.course.cohorts import people_file_problem

        problem = people_file_problem()
        if self.current_user and problem:  # no list of "no submissions" that is really "no roster"
            self.set_status(503)
            self.finish(page("Beoordelen met rubrics", f"<p class=err role=alert>{html.escape(problem)}</p>"))

    def visible(self, student: str) -> bool:
        from leerplein.teacher.scope import load_people, scope_for

        return scope_for(self.current_user["name"], load_people()).allows(student)

    def grader(self) -> str:
        return self.current_user["name"]


class HubOverview(HubScope, HubOAuthenticated, Overview):
    @tornado.web.authenticated
    def get(self):
        return super().get()


class HubGrade(HubScope, HubOAuthenticated, Grade):
    @tornado.web.authenticated
    def get(self, *args, **kwargs):
        return super().get(*args, **kwargs)

    @tornado.web.authenticated
    def post(self, *args, **kwargs):
        return super().post(*args, **kwargs)


def listen_address(environ) -> tuple[str, int]:
    """Where the service listens. The address comes from JUPYTERHUB_SERVICE_URL, as for Peiling and
    the leerkring: on one machine the hub sets it to the service's url (127.0.0.1, behind the hub's
    proxy on the same host); in the grading pod grading.yaml sets 0.0.0.0 so the Service reaches it.
    The port stays LEERPLEIN_GRADING_PORT."""
    host = urlparse(environ.get("JUPYTERHUB_SERVICE_URL", "")).hostname
    return host or "127.0.0.1", int(environ["LEERPLEIN_GRADING_PORT"])


def build_app(environ) -> tuple[tornado.web.Application, Course]:
    """The rubric pages and the Werkplek under the service's prefix, from the service's environment."""
    prefix = environ["JUPYTERHUB_SERVICE_PREFIX"]
    course = Course(Path(environ["LEERPLEIN_ROOT"]), Path(environ["LEERPLEIN_COURSE_DIR"]),
                    Path(environ["LEERPLEIN_EXCHANGE"]))
    app, _ = make_app(course, prefix=prefix, overview=HubOverview, grade=HubGrade, hub_auth=True)
    from leerplein.teacher.routes import routes

    app.add_handlers(".*", [(url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
                            *routes(course, url_path_join(prefix, "werkplek/"))])
    return app, course


def main() -> None:
    from jupyterhub.services.auth import HubOAuth

    from leerplein.service_base import TOKEN_CACHE_SECONDS

    HubOAuth.instance(cache_max_age=TOKEN_CACHE_SECONDS)
    app, course = build_app(os.environ)
    address, port = listen_address(os.environ)
    app.listen(port, address=address)
    from leerplein.lti.passback import retry_in_background

    retry_in_background(course)  # grades that could not reach the LMS yet (LTI)
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
