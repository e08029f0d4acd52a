"""`leerplein hub update`: a changed book page or a corrected assignment reaches a running hub,
without stopping it and without losing anybody's work.

- The book is rebuilt when a page changed; students' servers read the built pages from disk on
  every request, so the next page they open is the new one.
- Every released assignment whose exercise changed is released again (course/prepare/release.py, the
  same step as "opnieuw vrijgeven" in the teacher's workspace). What was handed in stays as it
  was. A student who already fetched it keeps her draft; her student view tells her a new
  version exists and carries her answers over when she chooses it (student/versions.py).
  Who had not fetched it yet simply fetches the new version."""

from __future__ import annotations

import filecmp
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from leerplein.course.course import COURSE_ID, Course


@dataclass
class UpdateReport:
    book: str = ""  # Dutch: what happened to the book
    released: list[str] = field(default_factory=list)  # assignments released again
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # assignment -> Dutch reason

    @property
    def ok(self) -> bool:
        return not self.failed


def released_assignments(course: Course) -> list[str]:
    outbound = course.exchange / COURSE_ID / "outbound"
    try:
        return sorted(p.name for p in outbound.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return []


def _notebook_without_ids(path: Path):
    """A notebook's content without its cells' random ids (a new id each time it is generated)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for cell in data.get("cells", []):
        cell.pop("id", None)
    return data


def _same_file(one: Path, other: Path) -> bool:
    if one.suffix == ".ipynb":
        try:
            return _notebook_without_ids(one) == _notebook_without_ids(other)
        except (OSError, ValueError):
            return False
    return filecmp.cmp(one, other, shallow=False)


def _same_tree(one: Path, other: Path) -> bool:
    """The same files with the same content."""
    compared = filecmp.dircmp(one, other, ignore=[".ipynb_checkpoints", "__pycache__"])

    def same(c: filecmp.dircmp) -> bool:
        if c.left_only or c.right_only or c.funny_files:
            return False
        return (all(_same_file(Path(c.left) / name, Path(c.right) / name) for name in c.common_files)
                and all(same(sub) for sub in c.subdirs.values()))

    return same(compared)


def assignment_changed(course: Course, slug: str) -> bool:
    """Generate the student version from exercises/ and compare it with what students fetch now."""
    from leerplein.course.prepare.assign import write_source

    write_source(course.root, course.directory, slug)
    generated = course.api().generate_assignment(slug, force=True)
    if not generated["success"]:
        raise RuntimeError((generated.get("error") or generated.get("log") or "").strip().splitlines()[-1:] or
                           ["onbekende fout"])
    return not _same_tree(course.directory / "release" / slug, course.exchange / COURSE_ID / "outbound" / slug)


def update_book(root: Path) -> str:
    from leerplein.book.build import BuildFailed, build_book, is_stale
    from leerplein.paths import Layout

    layout = Layout(root)
    if not is_stale(layout):
        return "Het boek was al bijgewerkt."
    try:
        if build_book(layout, quiet=True, only_if_stale=True) is None:
            return "Het boek was al bijgewerkt."
    except BuildFailed as err:
        return f"Het boek kon niet worden gebouwd; studenten zien nog de vorige versie. {err}"
    return "Het boek is opnieuw gebouwd. Studenten zien de nieuwe pagina's zodra ze een pagina openen."


def update(course: Course, book: bool = True, say: Callable[[str], None] = print) -> UpdateReport:
    from leerplein.course.prepare.release import release

    report = UpdateReport()
    if book:
        say("Boek bijwerken (de eerste keer kan dit een paar minuten duren)...")
        report.book = update_book(course.root)
        say(report.book)
    slugs = released_assignments(course)
    say(f"Opdrachten nakijken op wijzigingen: {len(slugs)} vrijgegeven.")
    for slug in slugs:
        try:
            changed = assignment_changed(course, slug)
        except Exception as err:  # noqa: BLE001 - one broken exercise never stops the others
            report.failed[slug] = f"kon niet worden gemaakt uit exercises/: {err}"
            say(f"  {slug}: NIET bijgewerkt, {report.failed[slug]}")
            continue
        if not changed:
            report.unchanged.append(slug)
            say(f"  {slug}: ongewijzigd.")
            continue
        result = release(course, slug)
        if result.ok:
            report.released.append(slug)
            say(f"  {slug}: nieuwe versie vrijgegeven. Ingeleverd werk blijft zoals het was; wie de opdracht al "
                f"had opgehaald, houdt haar concept en ziet dat er een nieuwe versie is.")
        else:
            report.failed[slug] = result.message
            say(f"  {slug}: NIET bijgewerkt, {result.message}")
    return report

