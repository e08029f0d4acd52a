"""Settings of the one-machine hub, derived from the roster and the command line, and the
system preparation that goes with them (system users, the shared exchange, JupyterLab config)."""

from __future__ import annotations

import json
import os
import pwd
import secrets
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from leerplein.course.cohorts import people_from_roster, write_people_file
from leerplein.course.course import COURSE_ID, exchange_factory_config
from leerplein.hub.errors import HubError
from leerplein.hub.limits import StudentLimits
from leerplein.hub.people import write_people
from leerplein.roster import RosterError, read_roster

DEFAULT_LIMITS = StudentLimits()


@dataclass
class HubSettings:
    root: str
    state_dir: str
    port: int = 8100
    hub_port: int = 8101
    proxy_api_port: int = 8102
    grading_port: int = 8103
    peiling_port: int = 8104
    leerkring_port: int = 8105
    people: dict = field(default_factory=dict)  # username -> {rol, cursus}: the leerkring's map
    students: list[str] = field(default_factory=list)
    teachers: list[str] = field(default_factory=list)
    admins: list[str] = field(default_factory=list)
    course_dir: str = ""
    exchange: str = ""
    proxy: str = ""
    admin_token: str = ""
    idle_timeout: int = 3600
    mem_limit_bytes: int = DEFAULT_LIMITS.memory_bytes  # per user: all their processes together
    nproc_limit: int = DEFAULT_LIMITS.processes
    cpu_limit: float = DEFAULT_LIMITS.cpus
    hub_id: str = ""
    cgroups: str = ""  # "v2", "v1" or "" (then prlimit per process; see limits.py)
    fork_server: bool = True  # students' servers forked from a zygote (zygote.py); False: started from scratch
    # The address users type. Each user's server is on <user>.<host> and each service on
    # <service>--service.<host>, so <host> needs a wildcard DNS record (and certificate).
    public_url: str = ""
    # TLS on the hub's own proxy (tls.py): the institute's certificate for <host> and *.<host>
    ssl_cert: str = ""
    ssl_key: str = ""
    ip: str = "127.0.0.1"  # where the proxy listens; 0.0.0.0 (with TLS) to serve the network directly
    http_redirect_port: int = 0  # with TLS: plain http here is sent on to https (http_redirect.py); 0: none

    def to_env(self) -> str:
        return json.dumps(asdict(self))


def people_by_role(roster: Path) -> dict[str, list[str]]:
    """Usernames for the hub's groups; admins are teachers too."""
    try:
        people = read_roster(roster)
    except RosterError as err:
        raise HubError(str(err)) from err
    out = {"students": [], "teachers": [], "admins": []}
    for person in people:
        out[f"{person.role}s"].append(person.username)
    out["teachers"] += out["admins"]
    return out


def ensure_system_users(names: list[str]) -> list[str]:
    """Real isolation: one system user per roster user, home 0700. Root only."""
    created = []
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
            created.append(name)
        home = Path(pwd.getpwnam(name).pw_dir)
        home.mkdir(exist_ok=True)
        os.chmod(home, 0o700)
    return created


def initial_passwords(state: Path, names: list[str]) -> Path:
    """Give each new system user a random first password (set with chpasswd), listed in a
    file only root can read, for the teacher to hand out. Existing passwords are kept."""
    listing = state / "initial-passwords.csv"
    known = {}
    if listing.exists():
        known = dict(line.split(",", 1) for line in listing.read_text().splitlines()[1:] if "," in line)
    new = {n: secrets.token_urlsafe(9) for n in names if n not in known}
    if new:
        subprocess.run(["chpasswd"], input="".join(f"{n}:{p}\n" for n, p in new.items()), text=True, check=True)
        known.update(new)
        listing.write_text("username,password\n" + "".join(f"{n},{p}\n" for n, p in known.items()))
        os.chmod(listing, 0o600)
    return listing


def python_reachable_by_others() -> Path | None:
    """The first folder on the way to the Python installation that other users cannot enter."""
    for path in [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()]:
        for parent in [*reversed(path.parents), path]:
            if not os.stat(parent).st_mode & 0o001:
                return parent
    return None


# The hub's own records: who logged in when, request lines, secrets. Root only.
PRIVATE_STATE = ("jupyterhub.log", "jupyterhub_cookie_secret", "jupyterhub-proxy.pid",
                 "jupyterhub.pid", "admin-token", "initial-passwords.csv", "people.json")


def secure_state(state: Path) -> None:
    """The state folder may be entered (the exchange and the users' Jupyter config live in it)
    but not listed; everything the hub writes there is root-only."""
    os.chmod(state, 0o711)
    for name in PRIVATE_STATE:
        path = state / name
        if path.is_file() and not path.is_symlink():
            os.chmod(path, 0o600)
    for path in state.glob("jupyterhub.sqlite*"):  # the database and its -journal, -wal
        if path.is_file() and not path.is_symlink():
            os.chmod(path, 0o600)


def prepare(settings: HubSettings) -> list[str]:
    """Make the state folder, the exchange (before any student can log in) and the users'
    Jupyter config; return what had to be repaired."""
    from leerplein.course.intake.guard import ExchangeTampered, secure_exchange

    state = Path(settings.state_dir)
    state.mkdir(parents=True, exist_ok=True)
    secure_state(state)
    blocked = next((p for p in reversed(state.resolve().parents) if not os.stat(p).st_mode & 0o001), None)
    if blocked is not None:
        raise HubError(f"Students (the exchange, their Jupyter config) and Peiling and the leerkring (user "
                       f"{PEILING_USER}) must be able to enter {state}, but not {blocked}. Allow entering "
                       f"(not listing) it: chmod o+x {blocked}")
    try:
        repaired = secure_exchange(Path(settings.exchange))
    except ExchangeTampered as err:
        raise HubError(str(err)) from err
    config_dir = state / "jupyter-config"
    config_dir.mkdir(exist_ok=True)
    (config_dir / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.Exchange.root = {settings.exchange!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.course_id = {COURSE_ID!r}\n"
        + exchange_factory_config(),  # the exchange root stays root's; submission folders stay private
        encoding="utf-8")
    from leerplein.jupyter_setup import install_lab_settings, install_student_config

    install_lab_settings()  # Dutch, news off, student view: in the environment every server runs from
    student_config = state / "jupyter-config-student"
    install_student_config(student_config)  # no nbgrader teacher panels for students
    (state / "gitconfig").write_text("[safe]\n\tdirectory = *\n[user]\n\tname = Leerplein\n"
                                     "\temail = leerplein@localhost\n", encoding="utf-8")
    os.chmod(state / "gitconfig", 0o644)
    for p in [config_dir, *config_dir.rglob("*"), student_config, *student_config.rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    if os.geteuid() != 0:
        raise HubError("The hub spawns a real system user per student, so it must run as root "
                       "(sudo leerplein hub start ...).")
    ensure_system_users(settings.students + settings.teachers)
    people_file(peiling_state(state), settings.people)  # Peiling: teachers' and course-only polls' course
    leerkring_state(state, settings.people)
    write_people(state, settings.people)
    initial_passwords(state, settings.students + settings.teachers)
    return repaired


PEILING_USER = "nobody"  # Peiling needs no privileges: students and guests reach it


def peiling_state(state: Path, name: str = "peiling") -> Path:
    """A service's own folder (its database and secret), owned by the user it runs as."""
    folder = state / name
    if folder.is_symlink():
        raise HubError(f"{folder} is a symbolic link; remove it and start again.")
    folder.mkdir(mode=0o700, exist_ok=True)
    entry = pwd.getpwnam(PEILING_USER)
    for path in [folder, *folder.iterdir()]:
        if not path.is_symlink():
            os.chown(path, entry.pw_uid, entry.pw_gid)
    os.chmod(folder, 0o700)
    return folder


def people_map(roster: Path) -> dict:
    try:
        # "cursus": the first cohort (Peiling and the leerkring know one); "cursussen": all of a teacher's
        return people_from_roster(read_roster(roster))
    except RosterError as err:
        raise HubError(str(err)) from err


def leerkring_state(state: Path, people: dict) -> Path:
    """The leerkring's folder (owned by its unprivileged user) with who is in which course."""
    return people_file(peiling_state(state, "leerkring"), people)


def people_file(folder: Path, people: dict) -> Path:
    """Who is in which course with which role, for a service that runs as PEILING_USER."""
    target = folder / "mensen.json"
    write_people_file(target, people)
    entry = pwd.getpwnam(PEILING_USER)
    os.chown(target, entry.pw_uid, entry.pw_gid)
    return folder


def public_url_for(port: int, given: str | None = None) -> str:
    """`given` (https://hub.example.nl), checked; default http://localhost:<port>: browsers resolve
    every *.localhost name to this machine, so each user still gets an origin of her own."""
    from urllib.parse import urlparse

    url = (given or f"http://localhost:{port}").strip().rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.path or parsed.query:
        raise HubError(f"--public-url {given!r} is not an address like https://hub.example.nl (no path).")
    host = parsed.hostname
    if host.replace(".", "").isdigit() or ":" in host:
        raise HubError(f"--public-url needs a host name, not an IP address ({host}): every user gets a "
                       f"subdomain of it (<user>.{host}), so it needs a wildcard DNS record *.{host}.")
    return url


def new_settings(root: Path, roster: Path, state_dir: Path, port: int, course_dir: Path, exchange: Path,
                 public_url: str | None = None, ssl_cert: Path | None = None, ssl_key: Path | None = None,
                 ip: str = "127.0.0.1", http_redirect_port: int | None = None) -> HubSettings:
    people = people_by_role(roster)
    public = public_url_for(port, public_url)
    tls = ("", "")
    if bool(ssl_cert) != bool(ssl_key):
        raise HubError("Give both --ssl-cert and --ssl-key, or neither.")
    if ssl_cert:
        from leerplein.hub.tls import check_certificate

        tls = check_certificate(ssl_cert, ssl_key, public)
    elif ip not in ("127.0.0.1", "localhost"):
        raise HubError(f"--ip {ip} puts the hub on the network: only with HTTPS (--ssl-cert and --ssl-key). "
                       f"Or keep 127.0.0.1 behind your own TLS reverse proxy (see the README).")
    if http_redirect_port is None:
        http_redirect_port = 80 if ssl_cert else 0
    if http_redirect_port and not ssl_cert:
        raise HubError("--http-redirect-port sends plain http on to https: only with --ssl-cert and --ssl-key.")
    if not 0 <= http_redirect_port <= 65535:
        raise HubError(f"--http-redirect-port {http_redirect_port} is not a port (1-65535, or 0 for none).")
    proxy = root / "node_modules" / ".bin" / "configurable-http-proxy"
    if not proxy.exists():
        raise HubError(f"{proxy} is missing: run `npm ci` (scripts/setup.sh does this)")
    token_file = state_dir / "admin-token"
    state_dir.mkdir(parents=True, exist_ok=True)
    if not token_file.exists():
        token_file.write_text(secrets.token_hex(32))
        os.chmod(token_file, 0o600)
    from leerplein.hub.limits import backend, hub_id

    return HubSettings(root=str(root), state_dir=str(state_dir), port=port, hub_port=port + 1,
                       hub_id=hub_id(state_dir), cgroups=backend() or "",
                       public_url=public, ssl_cert=tls[0], ssl_key=tls[1], ip=ip, http_redirect_port=http_redirect_port,
                       proxy_api_port=port + 2, grading_port=port + 3, peiling_port=port + 4,
                       leerkring_port=port + 5, people=people_map(roster), course_dir=str(course_dir),
                       exchange=str(exchange), proxy=str(proxy), admin_token=token_file.read_text().strip(),
                       **people)
