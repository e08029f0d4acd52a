"""`leerplein course ...`: the teacher's cycle (thin layer over leerplein.course)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from leerplein.course.course import Course, CourseError

app = typer.Typer(no_args_is_help=True)
console = Console()

CourseDir = typer.Option(None, "--course-dir", envvar="LEERPLEIN_COURSE_DIR",
                         help="nbgrader course directory (default: <repo>/course, outside git)")
Exchange = typer.Option(None, "--exchange", envvar="LEERPLEIN_EXCHANGE",
                        help="nbgrader exchange directory (default: <course-dir>/../exchange)")
CohortOpt = typer.Option(None, "--cohort", help="only this cohort (the roster's course column)")


def _only(course: Course, cohort: str | None) -> set[str] | None:
    """The students of --cohort (None: everyone); an unknown cohort stops with the valid ones."""
    from leerplein.course.cohorts import CohortError, cohort_filter

    try:
        return cohort_filter(course, cohort)
    except CohortError as err:
        console.print(str(err), markup=False, style="red", soft_wrap=True)
        raise typer.Exit(2) from err


def _course(course_dir: Path | None, exchange: Path | None, require: bool = True) -> Course:
    from leerplein.paths import find_root

    root = find_root()
    directory = (course_dir or root / "course").resolve()
    course = Course(root, directory, (exchange or directory.parent / "exchange").resolve())
    if require:
        try:
            course.require()
        except CourseError as err:
            console.print(f"[red]{err}[/red]")
            raise typer.Exit(2) from err
        _guard(course)
    return course


def _guard(course: Course) -> None:
    """Every course command first checks that no student has tampered with the exchange."""
    from leerplein.course.intake.guard import ExchangeTampered, secure_exchange

    try:
        notes = secure_exchange(course.exchange)
    except ExchangeTampered as err:
        console.print(f"[red]Refusing to go on: {err}[/red]", markup=True)
        raise typer.Exit(2) from err
    for note in notes:
        console.print(f"[yellow]Exchange repaired:[/yellow] {note}")


def _audit(course: Course, action: str, assignment: str = "", students=(), detail: str = "", cohort: str = "") -> None:
    """The audit trail names the admin who used the command line."""
    import getpass

    from leerplein.course import audit

    audit.record(course, f"{getpass.getuser()} (opdrachtregel)", action, assignment, students, detail, cohort=cohort)


def _assignments(course: Course, assignment: str | None) -> list[str]:
    from leerplein.course.prepare.assign import exercise_slugs

    slugs = exercise_slugs(course.root)
    if assignment and assignment not in slugs:
        console.print(f"[red]Unknown assignment {assignment!r}. Known: {', '.join(slugs)}[/red]")
        raise typer.Exit(2)
    return [assignment] if assignment else slugs


@app.command()
def init(course_dir: Path = CourseDir, exchange: Path = Exchange,
         roster: Path = typer.Option(None, help="CSV with username,name,role,email")) -> None:
    """Create the course directory, nbgrader_config.py and the gradebook."""
    from leerplein.course.prepare.init import init_course
    from leerplein.course.intake.guard import ExchangeTampered
    from leerplein.roster import RosterError

    course = _course(course_dir, exchange, require=False)
    try:
        done = init_course(course, roster)
    except (RosterError, ExchangeTampered, CourseError) as err:
        console.print(f"[red]{err}[/red]")
        raise typer.Exit(2) from err
    console.print(f"Course ready in {course.directory} with {len(done)} assignments; exchange {course.exchange}.")


@app.command()
def release(assignment: str = typer.Argument(None), course_dir: Path = CourseDir, exchange: Path = Exchange,
            cohort: list[str] = typer.Option(None, "--cohort", help="only for this cohort (repeat for more; "
                                                                    "default: every cohort on the roster)")) -> None:
    """Regenerate from exercises/, then release to students (again, for a corrected version: what
    was handed in stays as it is)."""
    from leerplein.course.cohorts import CohortError
    from leerplein.course.prepare.release import release as release_one

    course = _course(course_dir, exchange)
    for slug in _assignments(course, assignment):
        try:
            result = release_one(course, slug, list(cohort or []) or None)
        except CohortError as err:
            console.print(str(err), markup=False, style="red", soft_wrap=True)
            raise typer.Exit(2) from err
        state = "released again (corrected version)" if result.again else "released"
        console.print(f"{slug}: {state if result.ok else 'FAILED'} for {', '.join(result.cohorts)}"
                      if result.ok else f"{slug}: FAILED", markup=False)
        if not result.ok:
            console.print(result.message, markup=False)
            raise typer.Exit(1)
        for one in result.cohorts:
            _audit(course, "vrijgegeven", slug, (), result.message, cohort=one)


@app.command()
def collect(assignment: str = typer.Argument(None), course_dir: Path = CourseDir, exchange: Path = Exchange,
            cohort: str = CohortOpt) -> None:
    """Collect submissions from the exchange into submitted/ (links, special files and oversized
    submissions are skipped and reported in `status`)."""
    from leerplein.course.intake.collect import collect as safe_collect

    course = _course(course_dir, exchange)
    only = _only(course, cohort)  # collect takes everyone released to (shared folders); reports only --cohort
    for slug in _assignments(course, assignment):
        try:
            result = safe_collect(course, slug)
        except RuntimeError as err:
            console.print(f"{slug}: FAILED: {str(err)[-500:]}", markup=False)
            raise typer.Exit(1) from err
        for line in result.rejected:
            console.print(f"rejected {line}", markup=False)
        staged = [s for s in result.staged if only is None or s in only]
        refused = [s for s in result.not_released if only is None or s in only]
        console.print(f"{slug}: collected {len(staged)} submissions"
                      + (f"; not released to their cohort, left in the exchange: {', '.join(refused)}" if refused else "")
                      + ".", markup=False)
        for student, lines in sorted(result.messages.items()):
            if only is not None and student not in only:
                continue
            for line in lines:
                console.print(f"  {student}: {line}", markup=False)


@app.command()
def autograde(assignment: str, course_dir: Path = CourseDir, exchange: Path = Exchange,
              student: list[str] = typer.Option(None, help="only these students"), cohort: str = CohortOpt,
              workers: int = typer.Option(None, help="parallel workers (default: number of cores)"),
              cell_seconds: int = 10, notebook_seconds: int = 60, memory_mb: int = 1024,
              unsafe_no_sandbox: bool = typer.Option(False, "--unsafe-no-sandbox",
                                                     help="run student code without the sandbox (not on shared servers)")) -> None:
    """Autograde submissions in parallel, with student code in the sandbox."""
    from leerplein.course.grading.autograde import autograde as run, limit_own_memory, submissions
    from leerplein.course.grading.sandbox import SandboxLimits, SandboxUnavailable

    limit_own_memory()  # the grader, root on the hub, must not be the process that takes the machine
    course = _course(course_dir, exchange)
    only = _only(course, cohort)
    chosen = [s for s in (student or submissions(course, assignment)) if only is None or s in only]
    limits = SandboxLimits(cell_seconds=cell_seconds, notebook_seconds=notebook_seconds, memory_mb=memory_mb)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as bar:
        task = bar.add_task(f"Autograding {assignment}", total=len(chosen))
        try:
            outcomes = run(course, assignment, chosen, workers, limits, unsafe_no_sandbox,
                           progress=lambda o: bar.advance(task))
        except SandboxUnavailable as err:
            console.print(f"[red]Refusing to run student code: {err}[/red]")
            raise typer.Exit(2) from err
    failed = [o for o in outcomes if o.status != "nagekeken"]
    noted = [o for o in outcomes if o.messages]
    console.print(f"{len(outcomes) - len(failed)} graded, {len(failed)} failed, {len(noted)} with messages.")
    for o in noted:
        for m in o.messages:
            console.print(f"  {o.student}: {m}")


@app.command()
def grade(course_dir: Path = CourseDir, exchange: Path = Exchange, port: int = 8890) -> None:
    """Open the rubric grading page (127.0.0.1) in your browser."""
    from leerplein.course.grading.grading_app import serve

    serve(_course(course_dir, exchange), port)


@app.command()
def feedback(assignment: str, course_dir: Path = CourseDir, exchange: Path = Exchange,
             release: bool = typer.Option(True, help="also release it to students through the exchange"),
             student: list[str] = typer.Option(None, "--student", help="only for these students"),
             cohort: str = CohortOpt) -> None:
    """Write feedback HTML (no hidden tests, no tracebacks) and release it, only for work whose
    reflections are all graded: what still waits for grading is listed, never sent as a 0."""
    from leerplein.course.grading.autograde import load_statuses
    from leerplein.course.results.feedback import generate_feedback, release_feedback
    from leerplein.course.results.progress import feedback_ready

    course = _course(course_dir, exchange)
    only = _only(course, cohort)
    autograded = [s for s, st in load_statuses(course, assignment).items() if st.get("status") == "nagekeken"
                  and (only is None or s in only)]
    if student:
        unknown = [s for s in student if s not in autograded]
        if unknown:
            console.print(f"Not autograded for {assignment}: {', '.join(unknown)}", markup=False, style="red")
            raise typer.Exit(2)
        autograded = list(student)
    ready, waiting = feedback_ready(course, assignment, autograded)
    written = generate_feedback(course, assignment, ready)
    console.print(f"Feedback written for {len(written)} students.")
    if waiting:
        console.print(f"Not yet: reflections still to grade for {', '.join(waiting)} "
                      "(their feedback goes out once every reflection has a rubric level).", markup=False)
    if release and written:
        result = release_feedback(course, assignment, only)
        if result.released:
            _audit(course, "feedback", assignment, result.released,
                   f"feedback vrijgegeven voor {len(result.released)} studenten")
        console.print(f"Released to the exchange for {len(result.released)} students.")
        for name, reason in sorted(result.skipped.items()):
            console.print(f"  {name}: {reason}", markup=False)


@app.command()
def export(output: Path = typer.Option(Path("grades.csv"), "--output", "-o"),
           lms: str = typer.Option("brightspace", help="brightspace, canvas or moodle"),
           pseudonymise: bool = typer.Option(False, "--pseudonymise", help="replace student ids by pseudonyms"),
           course_dir: Path = CourseDir, exchange: Path = Exchange, cohort: str = CohortOpt) -> None:
    """Export grades as a CSV for an LMS gradebook."""
    from leerplein.course.results.export import export_csv

    course = _course(course_dir, exchange)
    n = export_csv(course, lms, output, pseudonymise, _only(course, cohort))
    console.print(f"Wrote {n} students to {output} ({lms}{', pseudonymised' if pseudonymise else ''}).")


@app.command()
def report(output: Path = typer.Option(Path("report.html"), "--output", "-o"),
           course_dir: Path = CourseDir, exchange: Path = Exchange, cohort: str = CohortOpt) -> None:
    """Write the teacher's progress report (HTML with charts)."""
    from leerplein.course.results.report import write_report

    course = _course(course_dir, exchange)
    console.print(f"Report: {write_report(course, output, _only(course, cohort), cohort or '')}")


@app.command()
def status(course_dir: Path = CourseDir, exchange: Path = Exchange, cohort: str = CohortOpt) -> None:
    """Show where every assignment stands, and each student's problems."""
    from leerplein.course.results.status import course_status

    table = Table("assignment", "submitted", "autograded", "failed", "rubric graded", "feedback")
    course = _course(course_dir, exchange)
    rows = course_status(course, _only(course, cohort))
    for r in rows:
        table.add_row(r["assignment"], *(str(r[k]) for k in ("submitted", "autograded", "failed", "rubric_graded",
                                                               "feedback")))
    console.print(table)
    for r in rows:
        for student, message in r["messages"]:
            console.print(f"{r['assignment']} / {student}: {message}", markup=False)


@app.command()
def forget(student: str, course_dir: Path = CourseDir, exchange: Path = Exchange,
           hub_state_dir: Path = typer.Option(None, "--hub-state-dir", envvar="LEERPLEIN_HUB_STATE",
                                              help="on a hub: also its user record, tokens, logs and temporary files"),
           remove_account: bool = typer.Option(False, "--remove-account",
                                               help="on a hub: also delete her system account and home folder"),
           backups: list[Path] = typer.Option(None, "--backups", help="a folder or archive of `hub backup` to list"),
           yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation")) -> None:
    """Remove one student's data (gradebook, submissions, feedback, exchange, leerkring; on a hub
    also the hub's records, temporary files and log lines), and list what is left and why."""
    from leerplein.course.privacy.forget import forget_student

    if remove_account and hub_state_dir is None:
        console.print("[red]--remove-account needs --hub-state-dir (the account belongs to a hub).[/red]")
        raise typer.Exit(2)
    if not yes:
        what = " and her system account and home folder" if remove_account else ""
        typer.confirm(f"Remove all data of {student}{what}?", abort=True)
    try:
        result = forget_student(_course(course_dir, exchange), student, hub_state_dir, remove_account, backups or [])
    except ValueError as err:
        console.print(f"[red]{err}[/red]")
        raise typer.Exit(2) from err
    console.print(f"Removed for {student}:" if result.removed else f"Nothing found to remove for {student}.")
    for item in result.removed:
        console.print(f"  {item}", markup=False)
    if result.left:
        console.print("Left, and why:")
    for item in result.left:
        console.print(f"  {item}", markup=False)


@app.command()
def progress(course_dir: Path = CourseDir, exchange: Path = Exchange, cohort: str = CohortOpt) -> None:
    """Per student: assignments handed in, graded and passed (grading/slaagregels.yml)."""
    from leerplein.course.results.progress import everyone

    table = Table("student", "passed", "points", "still open")
    course = _course(course_dir, exchange)
    for p in everyone(course, _only(course, cohort)):
        got, out_of = p.total
        table.add_row(p.student, "yes" if p.passed else "no", f"{got:g} / {out_of:g}", "; ".join(p.open_items) or "-")
    console.print(table)


@app.command()
def aanwezig(session: str = typer.Argument(None, help="the session, e.g. ontmoeting-1 (see --lijst)"),
             students: list[str] = typer.Argument(None), course_dir: Path = CourseDir, exchange: Path = Exchange,
             weg: bool = typer.Option(False, "--weg", help="undo: remove these students from the session"),
             lijst: bool = typer.Option(False, "--lijst", help="list the sessions and who attended"),
             cohort: str = CohortOpt) -> None:
    """Record who attended a group session (counts when slaagregels.yml asks for attendance)."""
    from leerplein.course.results.attendance import AttendanceError, attendance, record_attendance, remove_attendance, sessions

    course = _course(course_dir, exchange)
    only = _only(course, cohort)
    if only is not None and set(students or []) - only:
        console.print(f"Not in cohort {cohort}: {', '.join(sorted(set(students) - only))}", markup=False, style="red")
        raise typer.Exit(2)
    if lijst or not session:
        present = {s: done for s, done in attendance(course).items() if only is None or s in only}
        for s in sessions(course.root):
            who = sorted(student for student, done in present.items() if s.id in done)
            console.print(f"{s.id:<14} {s.titel}: {', '.join(who) or '-'}", markup=False)
        return
    try:
        change = remove_attendance if weg else record_attendance
        found = change(course, session, list(students or []))
    except AttendanceError as err:
        console.print(str(err), markup=False, style="red", soft_wrap=True)
        raise typer.Exit(2) from err
    _audit(course, "afwezig" if weg else "aanwezig", "", list(students or []), found.id)
    verb = "Removed" if weg else "Recorded"
    console.print(f"{verb} {found.id} ({found.titel}) for {len(students)} student(s).", markup=False)


@app.command()
def badges(course_dir: Path = CourseDir, exchange: Path = Exchange,
           ob2: bool = typer.Option(False, "--ob2", help="also export each as a signed Open Badges 2.0 assertion"),
           revoke: str = typer.Option(None, "--revoke", help="revoke this student's badge instead"),
           cohort: str = CohortOpt) -> None:
    """Issue the badge to everyone who passed and put it in their feedback (the issuer is set in instituut.yml)."""
    import getpass

    from leerplein.credentials.award import award_badges
    from leerplein.credentials.institute import InstituteError, real_institute
    from leerplein.credentials.issue import publish_status_list
    from leerplein.credentials.issue import revoke as revoke_badge

    course = _course(course_dir, exchange)
    try:
        real_institute(course.root)
    except InstituteError as err:
        console.print(f"[red]{err}[/red]")
        raise typer.Exit(1)
    if revoke:
        done = revoke_badge(course, revoke)
        console.print(f"Revoked the badge of {revoke}." if done else f"{revoke} has no badge.")
        publish_status_list(course)
        _publish_badges(course)
        return
    result = award_badges(course, _only(course, cohort), ob2=ob2, who=f"{getpass.getuser()} (opdrachtregel)")
    for problem in result.problems:
        console.print(problem, markup=False, style="yellow")
    for student, path, last in result.issued:
        console.print(f"Issued: {student} ({path.name}; in the feedback of {last})")
    console.print(f"{len(result.issued)} badge(s) issued; {len(result.not_yet)} student(s) have not passed yet.")
    if result.published:
        _tell_where_to_publish(course, result.published)


def _tell_where_to_publish(course: Course, folder: Path) -> None:
    from leerplein.credentials.institute import real_institute

    console.print(f"Zet de inhoud van {folder} op {real_institute(course.root).badges_url}/ (status.json, "
                  "issuer-public.pem en de controlepagina controleren.html). Zet daar nooit de map erboven: "
                  "die bevat de geheime sleutel.")


def _publish_badges(course: Course) -> None:
    from leerplein.credentials.page import PageError, publish_folder

    try:
        folder = publish_folder(course)
    except PageError as err:
        console.print(f"[yellow]{err}[/yellow]")
        return
    _tell_where_to_publish(course, folder)
