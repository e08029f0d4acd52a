"""At `hub start`: switch LTI on (lti.yml beside the roster) or off, and make the tool's key."""

from __future__ import annotations

from pathlib import Path

from leerplein.lti.config import LtiConfig, install
from leerplein.lti.keys import ensure_key


def lti_setup(state: Path, roster: Path, public_url: str) -> LtiConfig | None:
    state.mkdir(parents=True, exist_ok=True)
    config = install(state, roster, public_url)
    if config is not None:
        ensure_key(state)
    return config
