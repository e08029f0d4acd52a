"""The single-user server as the hub starts it: `jupyterhub-singleuser`, made lighter.

jsonschema (through jupyter_events) imports the optional `rfc3987_syntax` when it is installed,
only to check the "iri" string format. That import builds a grammar parser: 0.7 s of CPU and
26 MB in every server, while no schema that Jupyter Server or its extensions validate uses that
format. A class of thirty starting at once pays it thirty times, so the server starts without it.
(constraints.txt pins jsonschema 4.23, which does not pull it in; this guard is for installs
that add it anyway.)
"""

from __future__ import annotations

import sys

UNUSED_OPTIONAL = ("rfc3987_syntax",)


def main() -> int:
    for name in UNUSED_OPTIONAL:
        sys.modules.setdefault(name, None)  # a None entry makes `import` raise ImportError
    from jupyterhub.singleuser import main as singleuser_main

    return singleuser_main()


if __name__ == "__main__":
    sys.exit(main())
