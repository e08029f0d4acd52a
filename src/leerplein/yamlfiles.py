"""Reading the course's YAML files: libyaml's parser (ten times faster than PyYAML's own), and
each file parsed once per process until it changes on disk. A book build reads the same session
plans and the table of contents for every page that shows a table."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path):
    """The parsed file (safe_load semantics), a fresh copy per call; raises what yaml and open raise."""
    stat = Path(path).stat()
    return copy.deepcopy(_parsed(str(path), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=512)
def _parsed(path: str, _mtime_ns: int, _size: int):
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SafeLoader)
