"""`leerplein hub ...` commands (thin layer over leerplein.hub)."""

from __future__ import annotations

from pathlib import Path

import typer

from leerplein.hub.exchange_fs import DEFAULT_MB
from leerplein.hub.limits import StudentLimits

app = typer.Typer(no_args_is_help=True)
StateDir = typer.Option(None, "--state-dir", help="hub state (database, logs, exchange); default <repo>/hub/state")


def _state(state_dir: Path | None) -> Path:
    from leerplein.paths import find_root

    return (state_dir or find_root() / "hub" / "state").resolve()


def _ensure_book(root: Path) -> None:
    """Students read the module pages in the student view, from the built book."""
    from leerplein.book.build import BuildFailed, build_book, is_stale
    from leerplein.paths import Layout

    layout = Layout(root)
    if not is_stale(layout):
        return
    typer.echo("Building the book for the student view (a few minutes the first time)...", err=True)
    try:
        build_book(layout, quiet=True, only_if_stale=True)
    except BuildFailed as err:
        typer.echo(f"Warning: the book did not build, so students see no module pages yet: {err}", err=True)


@app.command()
def start(roster: Path = typer.Option(..., exists=True, help="CSV: username,name,role,course"),
          port: int = typer.Option(8100, help="the hub's public port on 127.0.0.1 (the next three are used too)"),
          state_dir: Path = StateDir,
          public_url: str = typer.Option(None, help="the address users type, e.g. https://hub.example.nl "
                                         "(default http://localhost:PORT). Every user's server gets its own "
                                         "subdomain: needs a wildcard DNS record and certificate, see the README"),
          ssl_cert: Path = typer.Option(None, help="HTTPS: the certificate (PEM, with its chain) for the "
                                        "public host and *.host; the hub's proxy serves TLS itself"),
          ssl_key: Path = typer.Option(None, help="HTTPS: the certificate's private key (PEM, root only)"),
          ip: str = typer.Option("127.0.0.1", help="where the proxy listens: 0.0.0.0 serves the network "
                                 "(only with --ssl-cert/--ssl-key)"),
          http_redirect_port: int = typer.Option(None, help="with --ssl-cert: plain http on this port (same "
                                                 "--ip) is sent on to https (301). Default 80; 0: none"),
          course_dir: Path = typer.Option(None, help="nbgrader course directory (default <state>/course)"),
          memory_mb: int = typer.Option(StudentLimits.memory_bytes // 2**20,
                                        help="memory for all of one user's processes together"),
          processes: int = typer.Option(StudentLimits.processes, help="processes (kernels, terminals, programs) per user"),
          cpus: float = typer.Option(StudentLimits.cpus, help="CPUs per user"),
          fork_server: bool = typer.Option(True, help="fork students' servers from one process that has "
                                           "imported Jupyter once (fast, little memory); --no-fork-server "
                                           "starts each from scratch, as teachers' servers are"),
          exchange_mb: int = typer.Option(DEFAULT_MB, envvar="LEERPLEIN_EXCHANGE_MB", help="size budget (MB) of the exchange, where students submit; "
                                                     "an image file in the state folder")) -> None:
    """Start JupyterHub in the background (on 127.0.0.1 unless --ip); print the URL and first steps."""
    from leerplein.hub.connlimit import HUB_PORTS_PER_STUDENT
    from leerplein.hub.manage import start_hub
    from leerplein.hub.settings import HubError, new_settings
    from leerplein.lti.config import LtiError
    from leerplein.lti.setup import lti_setup
    from leerplein.paths import find_root

    state = _state(state_dir)
    course = (course_dir or state / "course").resolve()
    try:
        settings = new_settings(find_root(), roster, state, port, course, state / "exchange", public_url,
                                ssl_cert, ssl_key, ip, http_redirect_port)
        _ensure_book(find_root())
        settings.mem_limit_bytes, settings.nproc_limit, settings.cpu_limit = memory_mb * 2**20, processes, cpus
        lti = lti_setup(state, roster, settings.public_url)
        settings.fork_server = fork_server
        url = start_hub(settings, exchange_mb=exchange_mb)
    except (HubError, LtiError) as err:
        typer.echo(f"Error: {err}", err=True)
        raise typer.Exit(2) from err
    from leerplein.hub.public import book_links_differ

    for differ in book_links_differ(find_root(), settings.public_url):
        typer.echo(f"WARNING: book/_config.yml: {differ}, not the hub's public address {settings.public_url}: "
                   f"the book's launch links lead elsewhere. Set it to {settings.public_url} and run "
                   f"`leerplein hub update`.", err=True)
    teacher = (settings.teachers or ["<teacher>"])[0]
    typer.echo(f"""Leerplein hub: {url}
Students: {len(settings.students)}, teachers: {len(settings.teachers)}. Logs: {state / 'jupyterhub.log'}
Limits per user: {memory_mb} MB memory, {processes} processes, {cpus:g} CPU ({limits_note(settings.cgroups)}).
Students together can write at most {exchange_mb} MB in the exchange; each student holds at most
{HUB_PORTS_PER_STUDENT} connections to the hub (see the warnings above if these could not be set up).

First login for a teacher ({teacher}):
  1. Every roster user is a system user with a first password, listed in
     {state / 'initial-passwords.csv'} (only root can read it). Better: print a first-login
     letter per person (`leerplein hub letters --all-students`, PDFs in {state / 'accounts' / 'brieven'});
     they choose their own password at their first login and change it under "Wachtwoord wijzigen".
  2. Log in at {url}hub/login with your roster username; you land in the teachers' workspace.
  3. Prepare the course on this machine:
       leerplein course init --course-dir {course} --exchange {state / 'exchange'} --roster {roster}
       leerplein course release 01-armoede-zien --course-dir {course} --exchange {state / 'exchange'}
  4. Teachers' workspace (release, collect, grade, feedback): {url}services/leerplein-grading/werkplek/
Students log in the same way and land in their student view ("Mijn opdrachten"); Peiling: {url}services/peiling/begeleider
Stop with: leerplein hub stop""")
    if lti:
        typer.echo(f"Login from the LMS (LTI 1.3, lti.yml beside the roster): {len(lti.contexts)} LMS course(s) mapped. "
                   f"What to fill in on the LMS side: leerplein lti register")


def limits_note(cgroups: str) -> str:
    if cgroups:
        return f"all of a user's processes together, cgroup {cgroups}"
    return ("WARNING: no control groups here, so each process is limited on its own; a user with many "
            "processes can use more. See the README, 'Threat model'")


@app.command()
def stop(state_dir: Path = StateDir) -> None:
    """Stop the hub, its proxy, services and all user servers."""
    from leerplein.hub.manage import stop_hub

    typer.echo("Stopped the hub." if stop_hub(_state(state_dir)) else "No hub was running.")


@app.command()
def prestart(course: str = typer.Option(None, help="only this course's students (the roster's course column)"),
             at: str = typer.Option(None, help='the session\'s start, "2026-11-24 14:00" or "14:00"; default: now'),
             lead_minutes: float = typer.Option(10, help="start this many minutes before the session"),
             concurrency: int = typer.Option(None, help="servers starting at once (default: one per CPU core)"),
             state_dir: Path = StateDir) -> None:
    """Start a group's servers before a session, so that everyone logging in on the hour finds
    theirs ready. Run it by hand, or from cron with --at."""
    import asyncio
    import time
    from datetime import datetime

    from leerplein.hub.prestart import PrestartError, check_listener, hub_access, members, start_servers, start_time

    state = _state(state_dir)
    try:
        users = members(state, course)
        base, token = hub_access(state)
        if at:
            begin = start_time(at, lead_minutes)
            wait = (begin - datetime.now()).total_seconds()
            if wait > 0:
                typer.echo(f"Waiting until {begin:%H:%M} to start {len(users)} servers...")
                time.sleep(wait)
                check_listener(base)  # the hub may have gone down while we waited
    except PrestartError as err:
        typer.echo(f"Error: {err}", err=True)
        raise typer.Exit(2) from err
    with typer.progressbar(length=len(users), label=f"Starting {len(users)} servers") as bar:
        report = asyncio.run(start_servers(base, token, users, concurrency, on_done=lambda _r: bar.update(1)))
    already = sum(r.already for r in report.results)
    typer.echo(f"{len(users) - len(report.failed)} of {len(users)} servers ready in {report.seconds:.0f} s"
               f"{f' ({already} were already running)' if already else ''}.")
    for failed in report.failed:
        typer.echo(f"  {failed.user}: {failed.error}. They can still log in; their server then starts on its own.",
                   err=True)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def backup(output: Path = typer.Option(..., "--output", "-o", help="the archive to write (root-only)"),
           state_dir: Path = StateDir) -> None:
    """Back up the course, gradebook, exchange, rubric grades, badge keys, polls, leerkring and every
    roster user's own Leerplein folders (notes, logbook, drafts)."""
    from leerplein.hub.backup import BackupError, backup as make_backup
    from leerplein.hub.tar_walk import MAX_DEPTH

    try:
        manifest = make_backup(_state(state_dir), output)
    except BackupError as err:
        typer.echo(f"Error: {err}", err=True)
        raise typer.Exit(2) from err
    databases = sum(1 for m in manifest["files"].values() if m["sqlite"])
    typer.echo(f"Backed up {len(manifest['files'])} files ({databases} databases, copied consistently; the own "
               f"folders of {len(manifest.get('homes', {}))} people) to {output}. Keep a copy off this machine.")
    if manifest["too_deep"]:
        typer.echo(f"Not backed up: {len(manifest['too_deep'])} folder(s) nested deeper than {MAX_DEPTH} levels "
                   f"(nothing a course makes; a student may have planted them), for example "
                   f"{manifest['too_deep'][0]}.", err=True)


@app.command()
def restore(archive: Path = typer.Argument(..., exists=True, dir_okay=False), state_dir: Path = StateDir,
            force: bool = typer.Option(False, "--force", help="overwrite files that are newer than the backup"),
            check: bool = typer.Option(False, "--check", help="only check the backup: unpack it into a temporary "
                                       "folder and verify every file and database (report in Dutch)")) -> None:
    """Restore a backup into a state folder and the students' own folders; refuses to overwrite
    newer data unless --force. With --check, restore nothing and verify the backup."""
    from leerplein.hub.backup import BackupError, restore as do_restore

    if check:
        from leerplein.hub.backup_check import check_backup

        try:
            report = check_backup(archive)
        except BackupError as err:
            typer.echo(f"Fout: {err}", err=True)
            raise typer.Exit(2) from err
        typer.echo("\n".join(report.lines()))
        raise typer.Exit(0 if report.ok else 1)
    try:
        done = do_restore(archive, _state(state_dir), force=force)
    except BackupError as err:
        typer.echo(f"Error: {err}", err=True)
        raise typer.Exit(2) from err
    typer.echo(f"Restored {done.files} files ({done.databases} databases) and {done.homes} files in students' own "
               f"folders. Start the hub with `leerplein hub start`.")
    for user, why in sorted(done.homes_failed.items()):
        typer.echo(f"Not restored: the own folders of {user} ({why}). The rest was restored.", err=True)
    for owner, entries in sorted(done.unknown_owners.items()):
        typer.echo(f"Not restored: {len(entries)} entries of {owner}, who has no account on this machine, for "
                   f"example {entries[0]}. Create the users first (`leerplein hub start --roster ...`, then "
                   f"`leerplein hub stop`), then restore again with --force.", err=True)


@app.command()
def roster(roster_file: Path = typer.Option(..., "--roster", exists=True, help="the whole roster, as it is now"),
           state_dir: Path = StateDir) -> None:
    """Bring a running hub in line with the roster: add late students and new teachers, remove
    who left (their servers stop and their login is locked; their work stays until `course
    forget`), move people between cohorts. Nobody else's server is touched."""
    from leerplein.course.course import Course
    from leerplein.hub.prestart import PrestartError
    from leerplein.hub.roster_sync import sync_roster
    from leerplein.hub.settings import HubError
    from leerplein.paths import find_root

    state = _state(state_dir)
    course = Course(find_root(), state / "course", state / "exchange")
    try:
        change = sync_roster(state, roster_file, course if course.config_file.is_file() else None)
    except (HubError, PrestartError) as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(2) from err
    typer.echo(f"Added: {', '.join(change.added) or '-'}; removed: {', '.join(change.removed) or '-'}; "
               f"changed: {', '.join(change.changed) or '-'}.")
    if change.passwords_file:
        typer.echo(f"First passwords of the new people: {change.passwords_file} (root only).")


@app.command()
def update(state_dir: Path = StateDir,
           course_dir: Path = typer.Option(None, help="nbgrader course directory (default <state>/course)"),
           book: bool = typer.Option(True, "--book/--no-book", help="rebuild the book when a page changed")) -> None:
    """Bring a running hub up to date with the checkout: rebuild the book when a page changed and
    release every corrected assignment again. Nothing stops; handed-in work stays as it was;
    students keep their drafts and are told when a new version exists (answers carry over)."""
    from leerplein.course.course import Course
    from leerplein.hub.update import update as do_update
    from leerplein.paths import find_root

    state = _state(state_dir)
    course = Course(find_root(), (course_dir or state / "course").resolve(), state / "exchange")
    if not course.config_file.is_file():
        typer.echo(f"Fout: geen cursus in {course.directory}. Maak hem eerst met `leerplein course init`.", err=True)
        raise typer.Exit(2)
    report = do_update(course, book=book, say=typer.echo)
    typer.echo(f"Klaar: {len(report.released)} opdracht(en) opnieuw vrijgegeven, {len(report.unchanged)} ongewijzigd"
               f"{f', {len(report.failed)} mislukt' if report.failed else ''}.")
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def letters(users: list[str] = typer.Argument(None, help="usernames; none: use --all-students"),
            all_students: bool = typer.Option(False, "--all-students", help="every student on the roster"),
            state_dir: Path = StateDir) -> None:
    """Print a first-login letter (PDF) per person with a new one-time start password, into the
    root-only folder <state>/accounts/brieven/. She must choose her own password at her first
    login; her old password stops working now."""
    from leerplein.accounts.start import issue
    from leerplein.course.course import Course
    from leerplein.hub.people import read_people
    from leerplein.paths import find_root

    state = _state(state_dir)
    people = read_people(state)
    chosen = sorted(n for n, p in people.items() if p.get("rol") == "student") if all_students else list(users or [])
    if not chosen:
        typer.echo("Name the users, or use --all-students.", err=True)
        raise typer.Exit(2)
    course = Course(find_root(), state / "course", state / "exchange")
    issued, problems = issue(state, people, chosen, hub_address(state), "beheerder (opdrachtregel)",
                             course if course.config_file.is_file() else None)
    for item in issued:
        typer.echo(f"{item.username}: {item.letter}")
    for problem in problems:
        typer.echo(problem, err=True)
    raise typer.Exit(1 if problems else 0)


def hub_address(state: Path) -> str:
    """The public address `hub start` was given (what a letter tells people to type)."""
    from leerplein.accounts.store import public_url

    return public_url(state)
