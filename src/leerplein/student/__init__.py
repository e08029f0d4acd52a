"""The student view: Leerplein in the student's own Jupyter server, without code and in Dutch.

A Jupyter server extension (enabled for every server by `leerplein.jupyter_setup`) that serves
/leerplein/: the assignments as forms, the module pages as in the book with private notes,
and the feedback. The logic lives in form.py, assignments.py and pages.py; handlers.py is the
thin web layer."""


def _jupyter_server_extension_points():
    return [{"module": "leerplein.student"}]


def _load_jupyter_server_extension(serverapp):
    from leerplein.student.handlers import setup_handlers

    setup_handlers(serverapp)
