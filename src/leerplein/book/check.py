"""The curriculum linter behind `leerplein check`.

A rule is a plain function `(root: Path) -> Iterable[Finding]`, registered with
`@rule("name")`. Rules live next to the part of the project they guard and are
imported by `_load_rule_modules()`; adding a rule never touches this file's logic.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

RuleFn = Callable[[Path], Iterable["Finding"]]
RULES: dict[str, RuleFn] = {}

# Modules that register rules with @rule. Missing ones are skipped (areas land over time).
RULE_MODULES = [
    "leerplein.book.rules",
    "leerplein.book.readability",
    "leerplein.book.studielast",
    "leerplein.book.content_rules",
    "leerplein.book.source_rules",
    "leerplein.book.count_rules",
    "leerplein.course.prepare.rubrics",
    "leerplein.course.prepare.assessment_rules",
]


@dataclass(frozen=True, order=True)
class Finding:
    path: Path
    line: int
    rule: str
    message: str
    severity: str = "error"  # "error" fails the check, "warning" is printed only

    def format(self, root: Path) -> str:
        try:
            shown = self.path.relative_to(root)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}: {self.severity}: [{self.rule}] {self.message}"


def rule(name: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        RULES[name] = fn
        return fn

    return register


def _load_rule_modules() -> None:
    for module in RULE_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def check_repository(root: Path, only: Iterable[str] | None = None) -> list[Finding]:
    _load_rule_modules()
    selected = [RULES[name] for name in only] if only else list(RULES.values())
    findings: list[Finding] = []
    for fn in selected:
        findings.extend(fn(Path(root)))
    return sorted(findings)


def format_findings(findings: list[Finding], root: Path) -> str:
    if not findings:
        return "leerplein check: all curriculum rules pass."
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    lines = [f.format(root) for f in findings]
    lines.append(f"leerplein check: {errors} error(s), {warnings} warning(s).")
    return "\n".join(lines)
