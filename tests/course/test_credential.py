"""The badge an employer can trust: the shipped example issuer is refused; the credential carries
the course's leerdoelen, an honest holder and every EU element that applies, validates against
the Open Badges 3.0 JSON schema, and is not called a MicroCredential at 2.9 EC; `badge verify`
speaks Dutch, refuses a PNG with two badges and tells "another key" from "changed"."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import ROOT

# 1EdTech's OB 3.0 schemas, in the project's shared folder beside the checkout (their public address
# cannot be reached from here); a worktree elsewhere finds them at /work/shared.
OB3 = next((p for p in (ROOT.parent / "shared" / "standards" / "ob3", Path("/work/shared/standards/ob3"))
            if (p / "achievementcredential.json").is_file()), ROOT.parent / "shared" / "standards" / "ob3")
INSTITUTE = """naam: "Hogeschool Proefstad, Academie Sociaal Werk"
url: "https://www.proefstad-hs.nl"
badges_url: "https://www.proefstad-hs.nl/badges"
land: "NL"
contact: {naam: "Bureau Nascholing", email: "nascholing@proefstad-hs.nl"}
trainers:
  - {naam: "Ans de Vries", achtergrond: "Sociaal werker, trainer actieleren"}
kwaliteitszorg: "Beoordeling met rubrics en modelantwoorden; kalibratie per cohort."
"""


def make_root(base: Path, institute: str | None = INSTITUTE) -> Path:
    root = base / "repo"
    root.mkdir(parents=True)
    for name in ("exercises", "modules", "book", "grading", "sessies", "node_modules"):
        (root / name).symlink_to(ROOT / name)
    (root / "pyproject.toml").write_text('[project]\nname = "leerplein"\n')
    if institute is not None:
        (root / "instituut.yml").write_text(institute)
    return root


def signer_key(base: Path, name: str = "sleutel") -> tuple[bytes, bytes]:
    from openbadgeslib import KeyEd25519

    key = KeyEd25519()
    key.generate_keypair()
    as_bytes = lambda v: v if isinstance(v, bytes) else v.encode()  # noqa: E731
    return as_bytes(key.get_priv_key_pem()), as_bytes(key.get_pub_key_pem())


def claims_of(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def ob3_validator():
    from jsonschema import Draft201909Validator

    schema = json.loads((OB3 / "achievementcredential.json").read_text())
    return Draft201909Validator(schema)


@pytest.fixture()
def root(tmp_path):
    return make_root(tmp_path)


def test_the_shipped_example_issuer_is_refused_and_the_message_says_where_to_set_it(tmp_path):
    from leerplein.credentials.institute import InstituteError, real_institute

    with pytest.raises(InstituteError) as refused:
        real_institute(ROOT)  # the instituut.yml in the repository: the example
    assert "instituut.yml" in str(refused.value) and "voorbeeld" in str(refused.value)
    # one example value left is enough to refuse
    half = make_root(tmp_path, INSTITUTE.replace("https://www.proefstad-hs.nl/badges", "https://leerplein.example.nl/badges"))
    with pytest.raises(InstituteError, match="badges_url"):
        real_institute(half)
    assert real_institute(make_root(tmp_path / "echt")).naam.startswith("Hogeschool Proefstad")


def test_the_settings_can_live_outside_the_checkout(tmp_path, monkeypatch):
    from leerplein.credentials.institute import real_institute

    own = tmp_path / "mijn-instituut.yml"
    own.write_text(INSTITUTE)
    monkeypatch.setenv("LEERPLEIN_INSTITUUT", str(own))
    assert real_institute(ROOT).naam.startswith("Hogeschool Proefstad")


def test_course_badges_refuses_the_example_issuer_before_issuing_anything(tmp_path):
    from leerplein.course.course import Course
    from leerplein.course.prepare.init import init_course

    root = make_root(tmp_path, institute=(ROOT / "instituut.yml").read_text())
    course = Course(root, tmp_path / "course", tmp_path / "exchange")
    init_course(course)
    done = subprocess.run([sys.executable, "-m", "leerplein.cli", "course", "badges", "--course-dir", str(course.directory),
                           "--exchange", str(course.exchange)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "LEERPLEIN_ROOT": str(root), "COLUMNS": "200"})
    assert done.returncode == 1, done.stdout + done.stderr
    said = " ".join(done.stdout.split())
    assert "voorbeelduitgever" in said and "instituut.yml" in said, said
    assert not (course.state / "badges" / "issuer-key.pem").exists(), "a key was made for the example issuer"


def test_the_criteria_list_the_courses_leerdoelen(root):
    from leerplein.course.prepare.rubrics import leerdoelen
    from leerplein.credentials.issue import course_outcomes

    outcomes = course_outcomes(root)
    expected = leerdoelen(ROOT / "book" / "eindopdracht.md")
    assert len(outcomes) == len(expected) >= 5
    assert outcomes[0].startswith("signalen van geldzorgen in je eigen werk herkennen")


def test_an_issued_credential_validates_against_ob3_and_carries_every_eu_element(root):
    from openbadgeslib.ob3 import OB3Signer

    from leerplein.course.results.progress import load_rules
    from leerplein.credentials.institute import real_institute
    from leerplein.credentials.issue import credential_payload, holder_identity

    institute = real_institute(root)
    now = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
    payload = credential_payload(root, institute, holder_identity("Sanne@Example.NL", "abcd"), 7, now)
    private, _ = signer_key(root)
    token = OB3Signer(private, algorithm="EdDSA").sign_payload(payload)
    vc = claims_of(token)
    errors = sorted(ob3_validator().iter_errors(vc), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])
    # the schema is not a formality: it rejects a credential without a date and an unknown identity type
    broken = json.loads(json.dumps(vc))
    del broken["validFrom"]
    broken["credentialSubject"]["identifier"][0]["identityType"] = "gebruikersnaam"
    assert len(list(ob3_validator().iter_errors(broken))) >= 2

    subject, achievement, issuer = vc["credentialSubject"], vc["credentialSubject"]["achievement"], vc["issuer"]
    # learner: a salted hash of her e-mail address, labelled as such
    (identity,) = subject["identifier"]
    assert identity["identityType"] == "emailAddress" and identity["hashed"] is True
    import hashlib
    assert identity["identityHash"] == "sha256$" + hashlib.sha256(b"sanne@example.nl" + b"abcd").hexdigest()
    assert "sanne" not in json.dumps(vc).lower()
    # title, awarding body, country, date
    assert achievement["name"].startswith("Leerplein") and vc["name"] == achievement["name"]
    assert issuer["name"] == "Hogeschool Proefstad, Academie Sociaal Werk" and issuer["url"] == "https://www.proefstad-hs.nl"
    assert issuer["address"]["addressCountry"] == "NL" and issuer["email"] == "nascholing@proefstad-hs.nl"
    assert vc["validFrom"].startswith("2026-12-01") and vc["validUntil"].startswith("2031-")
    # learning outcomes: every course leerdoel, numbered, in the criteria
    narrative = achievement["criteria"]["narrative"]
    from leerplein.credentials.issue import course_outcomes
    for i, goal in enumerate(course_outcomes(root), 1):
        assert f"{i}. {goal}" in narrative
    assert "Leeruitkomsten: " not in narrative.replace("Leeruitkomsten. ", "")  # never an empty list again
    # workload, level, assessment, participation, quality assurance
    tags, stated = achievement["tag"], load_rules(root).badge
    ec = float(stated["ec"])
    assert f"Studielast: {stated['studielast_uren']} uur" in tags and f"EC: {ec:g}".replace(".", ",") in tags
    assert achievement["creditsAvailable"] == ec and subject["creditsEarned"] == ec
    assert "Niveau: Niet NLQF-ingeschaald" in tags
    assert any(t.startswith("Beoordeling: ") and len(t) > 20 for t in tags)
    assert any(t.startswith("Deelname: ") and len(t) > 15 for t in tags)
    assert "Kwaliteitszorg: Beoordeling met rubrics" in narrative
    # under 3 EC and no level: a course, not a microcredential, anywhere in the badge
    assert ec < 3 and achievement["achievementType"] == "Course"
    assert "microcredential" not in json.dumps(vc).lower()
    # the revocation entry points at the institute's own status list
    assert vc["credentialStatus"]["statusListCredential"] == "https://www.proefstad-hs.nl/badges/status.json"


def test_a_holder_without_e_mail_is_labelled_as_a_user_name_not_as_an_e_mail():
    from leerplein.credentials.issue import achievement_type, holder_identity

    assert holder_identity("sanne", "ab")["identityType"] == "userName"
    assert holder_identity("sanne@example.nl", "ab")["identityType"] == "emailAddress"
    assert achievement_type(2.9, "") == "Course" and achievement_type(3, "Niet NLQF-ingeschaald") == "Course"
    assert achievement_type(3, "NLQF 5") == "MicroCredential"


def baked(root: Path, private: bytes, *, jwk_header: bool = True, identity: str = "sanne@example.nl",
          now: datetime | None = None) -> bytes:
    import jwt
    from openbadgeslib.baking import ITXT_KEYWORD_OB3, bake_png
    from openbadgeslib.ob3 import OB3Signer

    from leerplein.credentials.institute import real_institute
    from leerplein.credentials.issue import badge_image, credential_payload, holder_identity

    payload = credential_payload(root, real_institute(root), holder_identity(identity, "s"), 0,
                                 now or datetime.now(timezone.utc))
    if jwk_header:
        token = OB3Signer(private, algorithm="EdDSA").sign_payload(payload)
    else:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        token = jwt.encode(payload, load_pem_private_key(private, None), algorithm="EdDSA")
    return bake_png(badge_image("x"), token, keyword=ITXT_KEYWORD_OB3)


def test_badge_verify_speaks_dutch_and_checks_the_holders_e_mail(root, tmp_path):
    from leerplein.credentials.verify import verify_file

    private, public = signer_key(tmp_path)
    badge = tmp_path / "badge.png"
    badge.write_bytes(baked(root, private))
    verdict = verify_file(badge, public)
    assert verdict.ok and verdict.lines[0].startswith("GELDIG"), verdict.lines
    assert any(line.startswith("Uitgever: Hogeschool Proefstad") for line in verdict.lines)
    assert verify_file(badge, public, email="Sanne@example.nl").ok
    other = verify_file(badge, public, email="iemand@example.nl")
    assert not other.ok and any("klopt NIET" in line for line in other.lines)


def test_a_png_with_two_badges_is_refused_not_reported_valid_for_the_first(root, tmp_path):
    from openbadgeslib.baking import ITXT_KEYWORD_OB3, bake_png
    from openbadgeslib.ob3 import OB3Verifier

    from leerplein.credentials.verify import verify_file

    private, public = signer_key(tmp_path)
    first = baked(root, private)
    second_token = OB3Verifier.extract_token_from_png(baked(root, private, identity="ander@example.nl"))
    double = tmp_path / "dubbel.png"
    double.write_bytes(bake_png(first, second_token, keyword=ITXT_KEYWORD_OB3))
    assert OB3Verifier.extract_token_from_png(double.read_bytes())  # a library reader finds "a" badge in it
    verdict = verify_file(double, public)
    assert not verdict.ok and "2 badges" in verdict.lines[0], verdict.lines


def test_a_badge_signed_by_another_key_without_a_jwk_header_is_not_called_changed(root, tmp_path):
    from leerplein.credentials.verify import verify_file

    _, ours = signer_key(tmp_path, "ons")
    theirs, _ = signer_key(tmp_path, "hun")
    forged = tmp_path / "ander.png"
    forged.write_bytes(baked(root, theirs, jwk_header=False))
    verdict = verify_file(forged, ours)
    text = " ".join(verdict.lines)
    assert not verdict.ok and "niet ondertekend met de sleutel van dit instituut" in text, text
    assert "niet door dit instituut uitgegeven" in text
    # with a jwk header naming the other key, it says so outright
    forged.write_bytes(baked(root, theirs))
    assert "andere sleutel" in " ".join(verify_file(forged, ours).lines)


def test_badge_verify_page_writes_the_page_with_the_institutes_key_and_refuses_the_example(root, tmp_path):
    from openbadgeslib.keys import public_jwk_from_pem

    _, public = signer_key(tmp_path)
    pem = tmp_path / "issuer-public.pem"
    pem.write_bytes(public)
    run = lambda r, out: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "leerplein.cli", "badge", "verify-page", "-o", str(out), "--public-key", str(pem)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "LEERPLEIN_ROOT": str(r)})
    done = run(root, tmp_path / "pagina")
    assert done.returncode == 0, done.stdout + done.stderr
    page = (tmp_path / "pagina" / "controleren.html").read_text()
    assert public_jwk_from_pem(public)["x"] in page and "https://www.proefstad-hs.nl/badges/status.json" in page
    assert (tmp_path / "pagina" / "jose" / "index.js").is_file() and "connect-src 'self'" in page
    example = make_root(tmp_path / "voorbeeld", institute=(ROOT / "instituut.yml").read_text())
    refused = run(example, tmp_path / "pagina2")
    assert refused.returncode == 2 and "instituut.yml" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "pagina2" / "controleren.html").exists()
