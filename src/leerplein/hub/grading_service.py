"""The rubric grading page as a JupyterHub-managed service: JupyterHub's OAuth decides who may
enter (the `leerplein-docent` role has `access:services!service=leerplein-grading`; students
get 403 from the hub)."""

from __future__ import annotations

import os
from pathlib import Path

import tornado.ioloop
import tornado.web
from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join

from leerplein.course.course import Course
from leerplein.course.grading_app import Grade, Overview, make_app


class HubOverview(HubOAuthenticated, Overview):
    @tornado.web.authenticated
    def get(self):
        return super().get()


class HubGrade(HubOAuthenticated, Grade):
    @tornado.web.authenticated
    def get(self, *args, **kwargs):
        return super().get(*args, **kwargs)

    @tornado.web.authenticated
    def post(self, *args, **kwargs):
        return super().post(*args, **kwargs)


def main() -> None:
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
    course = Course(Path(os.environ["LEERPLEIN_ROOT"]), Path(os.environ["LEERPLEIN_COURSE_DIR"]),
                    Path(os.environ["LEERPLEIN_EXCHANGE"]))
    app, _ = make_app(course, prefix=prefix, overview=HubOverview, grade=HubGrade, hub_auth=True)
    from leerplein.teacher.handlers import routes

    app.add_handlers(".*", [(url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
                            *routes(course, url_path_join(prefix, "werkplek/"))])
    app.listen(int(os.environ["LEERPLEIN_GRADING_PORT"]), address="127.0.0.1")
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
