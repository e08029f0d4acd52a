"""`jupyter-book build` as the book build runs it: the same command, ended without the
interpreter's teardown.

Tearing down a Python process that has loaded Sphinx, the theme, myst-nb, its SQL cache and the
whole book's environment takes longer than rebuilding one page (0.6 s here): once the build has
flushed what it writes, nothing in that teardown matters. Usage, the arguments of jupyter-book:

    python -m leerplein.book.sphinx_run build ROOT --config ... --toc ...
"""

from __future__ import annotations

import logging
import os
import sys
import traceback


def run(argv: list[str]) -> int:
    from jupyter_book.cli.main import main as jupyter_book

    try:
        jupyter_book.main(args=argv, prog_name="jupyter-book")
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            return done.code or 0
        print(done.code, file=sys.stderr)
        return 1
    except BaseException:  # noqa: BLE001 - reported, and the build fails
        traceback.print_exc()
        return 1
    return 0


def main() -> None:
    code = run(sys.argv[1:])
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
