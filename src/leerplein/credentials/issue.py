"""Issue, revoke and export badges (`leerplein course badges`)."""

from __future__ import annotations

import io
import json
import os
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

from leerplein.course.course import Course, read_json, write_atomic, write_json
from leerplein.course.results.progress import Rules, load_rules, student_progress
from leerplein.credentials.institute import Institute, real_institute

STATUS_SIZE = 16384  # bits in the revocation list; indexes are never reused


class BadgeError(RuntimeError):
    pass


def badge_dir(course: Course) -> Path:
    folder = course.state / "badges"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def issuer_keys(course: Course) -> tuple[bytes, bytes]:
    """The institute's signing key (root-only, made once) and its public key."""
    from openbadgeslib import KeyEd25519

    folder = badge_dir(course)
    private, public = folder / "issuer-key.pem", folder / "issuer-public.pem"
    if not private.exists():
        key = KeyEd25519()
        key.generate_keypair()
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(_bytes(key.get_priv_key_pem()))
        write_atomic(public, _bytes(key.get_pub_key_pem()).decode())
        os.chmod(public, 0o644)
    return private.read_bytes(), public.read_bytes()


def _bytes(value) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def registry_file(course: Course) -> Path:
    return badge_dir(course) / "uitgegeven.json"


def course_outcomes(root: Path) -> list[str]:
    """The course's learning outcomes: the leerdoelen of its course-wide assignment (the
    eindopdracht's page), or, for a course without one, every module's leerdoelen."""
    from leerplein.course.prepare.assign import exercise_slugs
    from leerplein.course.prepare.rubrics import goals_page, leerdoelen

    slugs = exercise_slugs(root)
    course_wide = [goals_page(root, s) for s in slugs if not (root / "modules" / s / "index.md").is_file()]
    pages = [p for p in course_wide if p.is_file()] or [goals_page(root, s) for s in slugs]
    return [goal.rstrip(";.") for page in pages if page.is_file() for goal in leerdoelen(page)]


def achievement_type(ec: float, level: str) -> str:
    """OB3 "MicroCredential" only for what the EU recommendation and the Dutch pilot call one
    (at least 3 EC and a level); otherwise "Course": a course of study passed by assessment."""
    return "MicroCredential" if ec >= 3 and level and "niet" not in level.lower() else "Course"


def _dutch(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def _achievement(rules: Rules, root: Path, institute: Institute) -> dict:
    """The Achievement, with every element of the EU recommendation on micro-credentials
    that applies (outcomes, workload, level, assessment, participation, quality assurance)."""
    b = rules.badge
    ec, hours = float(b.get("ec", 0)), b.get("studielast_uren", "")
    level = institute.niveau or str(b.get("niveau", "Niet NLQF-ingeschaald"))
    outcomes = course_outcomes(root)
    criteria = (f"Alle {len(rules.counted)} opdrachten voldoende (per opdracht minstens het gestelde deel van de punten) "
                f"en samen minstens {rules.course_minimum:.0%} van de punten."
                + (f" Elk van de {len(rules.core)} kernleerdoelen voldoende, zonder compensatie door andere punten."
                   if rules.core else "")
                + (f" Minstens {rules.attendance_minimum} bijeenkomsten bijgewoond." if rules.attendance_minimum else "")
                + "\n\nLeeruitkomsten. Wie deze badge heeft, kan:\n"
                + "\n".join(f"{i}. {goal}" for i, goal in enumerate(outcomes, 1))
                + f"\n\nStudielast: {hours} uur ({_dutch(ec)} EC). Niveau: {level}. Beoordeling: {b.get('beoordeling', '')}. "
                f"Deelname: {b.get('deelname', '')}. Kwaliteitszorg: {institute.kwaliteitszorg}")
    tags = [f"Studielast: {hours} uur", f"EC: {_dutch(ec)}", f"Taal: {b.get('taal', 'nl')}", f"Niveau: {level}",
            f"Beoordeling: {b.get('beoordeling', '')}", f"Deelname: {b.get('deelname', '')}",
            f"Land: {institute.land}"]
    achievement = {
        "id": f"{institute.badges_url}/leerplein", "type": ["Achievement"], "name": b.get("naam", "Leerplein"),
        "description": " ".join(str(b.get("beschrijving", "")).split()), "criteria": {"narrative": criteria},
        "achievementType": achievement_type(ec, institute.niveau), "tag": tags, "inLanguage": b.get("taal", "nl"),
    }
    if ec:
        achievement["creditsAvailable"] = ec
    return achievement


def badge_image(title: str) -> bytes:
    """A plain PNG badge (drawn here, nothing downloaded)."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (400, 400), "white")
    draw = ImageDraw.Draw(img)
    draw.ellipse((20, 20, 380, 380), fill="#1a5fb4")
    draw.ellipse((45, 45, 355, 355), outline="white", width=6)
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 46)
        small = ImageFont.truetype("DejaVuSans.ttf", 22)
    except OSError:
        font = small = ImageFont.load_default()
    draw.text((200, 175), "Leerplein", fill="white", anchor="mm", font=font)
    draw.text((200, 235), "cursus gehaald", fill="white", anchor="mm", font=small)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _issuer(institute: Institute) -> dict:
    issuer = {"id": institute.url, "type": ["Profile"], "name": institute.naam, "url": institute.url,
              "address": {"type": ["Address"], "addressCountry": institute.land}}
    if institute.contact.get("email"):
        issuer["email"] = str(institute.contact["email"])
    return issuer


def holder_identity(identity: str | None, salt: str) -> dict:
    """The learner, as what the badge says it is: a salted hash of her e-mail address from the
    roster, or else of her user name at the institute (labelled userName, never called e-mail)."""
    from openbadgeslib.ob3.credential import IdentityObject

    if identity and "@" in identity:
        return IdentityObject.create(identity.strip().lower(), salt=salt).to_dict()
    if not identity:
        raise BadgeError("no identity for the holder")
    return IdentityObject.create(identity, salt=salt, identity_type="userName").to_dict()


def credential_payload(root: Path, institute: Institute, identity: dict, index: int, now: datetime) -> dict:
    """The JWT payload: the OpenBadgeCredential at the top level (OB 3.0 VC-JWT)."""
    from openbadgeslib.ob3 import Issuer, OpenBadgeCredential
    from openbadgeslib.ob3.credential import Achievement
    from openbadgeslib.ob3.status_list import status_entry

    rules = load_rules(root)
    until = now + timedelta(days=365 * int(rules.badge.get("geldig_jaren", 5)))
    base = OpenBadgeCredential(issuer=Issuer(id=institute.url, name=institute.naam), recipient_id=None,
                               achievement=Achievement(id="-", name="-", description="-", criteria_narrative="-"),
                               issuance_date=now, expiration_date=until,
                               credential_status=[status_entry(institute.status_url, "revocation", index)])
    payload = base.to_jwt_payload()
    achievement = _achievement(rules, root, institute)
    payload["name"] = achievement["name"]
    payload["issuer"] = _issuer(institute)
    payload["credentialSubject"] = {"type": ["AchievementSubject"], "achievement": achievement, "identifier": [identity]}
    if "creditsAvailable" in achievement:
        payload["credentialSubject"]["creditsEarned"] = achievement["creditsAvailable"]
    return payload


def issue(course: Course, student: str, identity: str | None, *, now: datetime | None = None) -> Path:
    """Sign and bake the credential for one student who passed. `identity` (her e-mail from the
    roster, or else her user name) is stored only as a salted hash in the badge."""
    from openbadgeslib.baking import ITXT_KEYWORD_OB3, bake_png
    from openbadgeslib.ob3 import OB3Signer

    institute = real_institute(course.root)
    rules = load_rules(course.root)
    progress = student_progress(course, student, rules)
    if not progress.passed:
        raise BadgeError(f"{student} has not passed: " + "; ".join(progress.open_items))
    private, _ = issuer_keys(course)
    registry = read_json(registry_file(course), {"volgende": 0, "uitgegeven": {}})
    now = now or datetime.now(timezone.utc)
    entry = registry["uitgegeven"].get(student)
    if entry is None:
        entry = {"index": registry["volgende"], "salt": secrets.token_hex(8)}
        registry["volgende"] += 1
    if entry["index"] >= STATUS_SIZE:
        raise BadgeError("the revocation list is full; start a new badge series")
    holder = holder_identity(identity or student, entry["salt"])
    payload = credential_payload(course.root, institute, holder, entry["index"], now)
    token = OB3Signer(private, algorithm="EdDSA").sign_payload(payload)
    baked = bake_png(badge_image(rules.badge.get("naam", "Leerplein")), token, keyword=ITXT_KEYWORD_OB3)
    target = badge_dir(course) / f"{student}.png"
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(baked)
    os.replace(tmp, target)
    entry.update(id=payload["id"], uitgegeven=now.isoformat(), ingetrokken=entry.get("ingetrokken", False),
                 houder=holder["identityType"])
    registry["uitgegeven"][student] = entry
    write_json(registry_file(course), registry)
    publish_status_list(course)
    return target


def revoke(course: Course, student: str, forget: bool = False) -> bool:
    """Revoke a student's badge. With `forget`, also drop the record of who held it: the
    revocation list keeps the bit, so the badge stays revoked."""
    registry = read_json(registry_file(course), {"volgende": 0, "uitgegeven": {}, "ingetrokken_zonder_naam": []})
    entry = registry["uitgegeven"].get(student)
    if entry is None:
        return False
    entry["ingetrokken"] = True
    if forget:
        registry.setdefault("ingetrokken_zonder_naam", []).append(entry["index"])
        del registry["uitgegeven"][student]
        (badge_dir(course) / f"{student}.png").unlink(missing_ok=True)
        (badge_dir(course) / f"{student}-ob2.png").unlink(missing_ok=True)
    write_json(registry_file(course), registry)
    publish_status_list(course)
    return True


def publish_status_list(course: Course) -> Path:
    """The signed Bitstring Status List (publish it at the badge's status_url)."""
    from openbadgeslib.ob3.status_list import build_status_list_credential, sign_status_list_credential

    institute = real_institute(course.root)
    registry = read_json(registry_file(course), {"uitgegeven": {}})
    revoked = [e["index"] for e in registry["uitgegeven"].values() if e.get("ingetrokken")]
    revoked += registry.get("ingetrokken_zonder_naam", [])
    vc = build_status_list_credential(institute.url, institute.status_url, "revocation", revoked, STATUS_SIZE)
    private, _ = issuer_keys(course)
    token = sign_status_list_credential(vc, private, "EdDSA")
    target = badge_dir(course) / "status.json"
    write_atomic(target, token if isinstance(token, str) else json.dumps(token))
    os.chmod(target, 0o644)
    return target


def export_ob2(course: Course, student: str, identity: str | None) -> Path:
    """The same award as a signed Open Badges 2.0 assertion, baked into a PNG (edubadges runs
    on Open Badges 2.1). The BadgeClass and the key are referred to by URL: publish them there."""
    from openbadgeslib.baking import bake_png
    from openbadgeslib.ob2 import OB2Signer
    from openbadgeslib.ob2.models import Assertion, IdentityObject, Verification

    registry = read_json(registry_file(course), {"uitgegeven": {}})
    entry = registry["uitgegeven"].get(student)
    if entry is None:
        raise BadgeError(f"{student} has no badge; issue it first")
    b = load_rules(course.root).badge
    base = real_institute(course.root).badges_url
    issued = datetime.fromisoformat(entry["uitgegeven"])
    if not identity or "@" not in identity:
        raise BadgeError(f"{student}: geen e-mailadres in de roster; een Open Badges 2.0-badge (edubadges) "
                         "wijst de houder aan met een e-mailadres")
    assertion = Assertion(recipient=IdentityObject.create(identity.strip().lower(), entry["salt"]),
                          badge=f"{base}/leerplein-ob2.json",
                          verification=Verification(type="SignedBadge", creator=f"{base}/issuer-key.json"),
                          id=entry["id"], issued_on=issued,
                          expires=issued + timedelta(days=365 * int(b.get("geldig_jaren", 5))))
    private, _ = issuer_keys(course)
    token = OB2Signer(private, algorithm="EdDSA").sign(assertion)
    target = badge_dir(course) / f"{student}-ob2.png"
    target.write_bytes(bake_png(badge_image(b.get("naam", "Leerplein")), token))
    return target
