"""Issue, revoke and export badges (`leerplein course badges`)."""

from __future__ import annotations

import io
import json
import os
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

from leerplein.course.course import Course, read_json, write_atomic, write_json
from leerplein.course.progress import Rules, load_rules, student_progress

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


def _achievement(rules: Rules, root: Path):
    from openbadgeslib.ob3 import Achievement

    from leerplein.course.assign import exercise_slugs

    b = rules.badge
    goals = []
    for slug in exercise_slugs(root):
        index = root / "modules" / slug / "index.md"
        if index.is_file():
            text = index.read_text(encoding="utf-8")
            part = text.split("## Leerdoelen", 1)[1].split("\n## ", 1)[0] if "## Leerdoelen" in text else ""
            goals += [line.split(".", 1)[-1].strip() for line in part.splitlines() if line[:1].isdigit()]
    criteria = (f"Alle {len(rules.counted)} opdrachten voldoende (per opdracht minstens het gestelde deel van de punten) "
                f"en samen minstens {rules.course_minimum:.0%} van de punten."
                + (f" Minstens {rules.attendance_minimum} bijeenkomsten bijgewoond." if rules.attendance_minimum else "")
                + " Leeruitkomsten: " + " ".join(f"({i}) {g}" for i, g in enumerate(goals, 1)))
    tags = [f"Studielast: {b.get('studielast_uren', '')} uur", f"EC: {b.get('ec', '')}", f"Taal: {b.get('taal', 'nl')}",
            f"Niveau: {b.get('niveau', 'Niet NLQF-ingeschaald')}", f"Beoordeling: {b.get('beoordeling', '')}",
            f"Deelname: {b.get('deelname', '')}"]
    return Achievement(id=f"{b.get('uitgever_url', 'https://leerplein.example.nl').rstrip('/')}/badges/leerplein",
                       name=b.get("naam", "Leerplein"), description=b.get("beschrijving", ""),
                       criteria_narrative=criteria, achievement_type="MicroCredential", tags=tags,
                       credits_available=float(b.get("ec", 0)) or None)


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
    draw.text((200, 235), "microcredential", fill="white", anchor="mm", font=small)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def issue(course: Course, student: str, identity: str, *, now: datetime | None = None) -> Path:
    """Sign and bake the credential for one student who passed. `identity` (her e-mail or
    username) is stored only as a salted hash in the badge."""
    from openbadgeslib.ob3 import Issuer, OB3Signer, OpenBadgeCredential
    from openbadgeslib.ob3.credential import IdentityObject
    from openbadgeslib.ob3.status_list import status_entry

    rules = load_rules(course.root)
    progress = student_progress(course, student, rules)
    if not progress.passed:
        raise BadgeError(f"{student} has not passed: " + "; ".join(progress.open_items))
    private, _ = issuer_keys(course)
    registry = read_json(registry_file(course), {"volgende": 0, "uitgegeven": {}})
    b = rules.badge
    now = now or datetime.now(timezone.utc)
    entry = registry["uitgegeven"].get(student)
    if entry is None:
        entry = {"index": registry["volgende"], "salt": secrets.token_hex(8)}
        registry["volgende"] += 1
    if entry["index"] >= STATUS_SIZE:
        raise BadgeError("the revocation list is full; start a new badge series")
    issuer = Issuer(id=b.get("uitgever_url", "https://leerplein.example.nl"), name=b.get("uitgever", "Leerplein"),
                    url=b.get("uitgever_url"))
    credential = OpenBadgeCredential(
        issuer=issuer, recipient_id=None, achievement=_achievement(rules, course.root), issuance_date=now,
        expiration_date=now + timedelta(days=365 * int(b.get("geldig_jaren", 5))),
        credits_earned=float(b.get("ec", 0)) or None,
        identifiers=[IdentityObject.create(identity, salt=entry["salt"])],
        credential_status=[status_entry(b.get("status_url", "https://leerplein.example.nl/badges/status.json"),
                                        "revocation", entry["index"])])
    baked = OB3Signer(private, algorithm="EdDSA").sign_into_png(credential, badge_image(b.get("naam", "Leerplein")))
    target = badge_dir(course) / f"{student}.png"
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(baked)
    os.replace(tmp, target)
    entry.update(id=credential.id, uitgegeven=now.isoformat(), ingetrokken=entry.get("ingetrokken", False))
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

    rules = load_rules(course.root)
    registry = read_json(registry_file(course), {"uitgegeven": {}})
    revoked = [e["index"] for e in registry["uitgegeven"].values() if e.get("ingetrokken")]
    revoked += registry.get("ingetrokken_zonder_naam", [])
    b = rules.badge
    vc = build_status_list_credential(b.get("uitgever_url", "https://leerplein.example.nl"),
                                      b.get("status_url", "https://leerplein.example.nl/badges/status.json"),
                                      "revocation", revoked, STATUS_SIZE)
    private, _ = issuer_keys(course)
    token = sign_status_list_credential(vc, private, "EdDSA")
    target = badge_dir(course) / "status.json"
    write_atomic(target, token if isinstance(token, str) else json.dumps(token))
    os.chmod(target, 0o644)
    return target


def export_ob2(course: Course, student: str, identity: str) -> Path:
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
    base = b.get("uitgever_url", "https://leerplein.example.nl").rstrip("/")
    issued = datetime.fromisoformat(entry["uitgegeven"])
    assertion = Assertion(recipient=IdentityObject.create(identity, entry["salt"]),
                          badge=f"{base}/badges/leerplein-ob2.json",
                          verification=Verification(type="SignedBadge", creator=f"{base}/badges/issuer-key.json"),
                          id=entry["id"], issued_on=issued,
                          expires=issued + timedelta(days=365 * int(b.get("geldig_jaren", 5))))
    private, _ = issuer_keys(course)
    token = OB2Signer(private, algorithm="EdDSA").sign(assertion)
    target = badge_dir(course) / f"{student}-ob2.png"
    target.write_bytes(bake_png(badge_image(b.get("naam", "Leerplein")), token))
    return target
