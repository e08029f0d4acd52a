"""`leerplein badge verify FILE`: check a badge offline and say in plain Dutch what is wrong.

The signature is checked against the institute's own public key first, so that "signed by
someone else" and "changed after it was issued" are told apart, whatever the token's header
claims. A file that carries more than one badge is refused: a reader would show one and a
checker might check another."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

BADGE_KEYWORDS = (b"openbadgecredential", b"openbadges")  # OB 3.0 and OB 2.0 baking keywords
TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")


@dataclass
class Verdict:
    ok: bool
    lines: list[str] = field(default_factory=list)


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def png_badges(data: bytes) -> list[bytes]:
    """The keyword of every text chunk that carries a baked badge (a plain walk over the chunks)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("dit is geen PNG-bestand")
    found, pos = [], 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind in TEXT_CHUNKS:
            keyword = body.split(b"\x00", 1)[0]
            if keyword in BADGE_KEYWORDS:
                found.append(keyword)
        pos += 12 + length
        if kind == b"IEND":
            break
    return found


def _signature_ok(token: str, jwk: dict) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "x" not in jwk:
        return False
    head, payload, signature = token.split(".")
    try:
        Ed25519PublicKey.from_public_bytes(_b64(jwk["x"])).verify(_b64(signature), f"{head}.{payload}".encode())
        return True
    except (InvalidSignature, ValueError):
        return False


def _date(value: str | None) -> str:
    if not value:
        return "onbekend"
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%d-%m-%Y")
    except ValueError:
        return value


def email_matches(identity: dict, email: str) -> bool:
    digest = hashlib.sha256((email.strip().lower() + (identity.get("salt") or "")).encode()).hexdigest()
    return identity.get("identityHash") == f"sha256${digest}"


def verify_file(path: Path, public_key: bytes, status_list: bytes | None = None, email: str | None = None) -> Verdict:
    from openbadgeslib.keys import public_jwk_from_pem
    from openbadgeslib.ob3 import OB3Verifier, OB3VerificationError

    data = Path(path).read_bytes()
    name = Path(path).name
    try:
        baked = png_badges(data)
    except ValueError as err:
        return Verdict(False, [f"Geen badge gevonden in {name}: {err}."])
    if len(baked) > 1:
        return Verdict(False, [f"NIET GELDIG: {name} bevat {len(baked)} badges. Een echte badge bevat er precies één; "
                               "dit bestand is in elkaar gezet. Vraag de houder om de badge zoals het instituut hem gaf."])
    try:
        token = OB3Verifier.extract_token_from_png(data)
        head = json.loads(_b64(token.split(".")[0]))
        claims = json.loads(_b64(token.split(".")[1]))
    except Exception as err:  # noqa: BLE001 - whatever is damaged, the answer is "no badge"
        return Verdict(False, [f"Geen badge gevonden in {name}: het is geen Open Badges 3.0-badge in een PNG ({err})."])
    ours = public_jwk_from_pem(public_key)
    if head.get("alg") != "EdDSA" or not _signature_ok(token, ours):
        theirs = head.get("jwk") or {}
        if theirs and theirs.get("x") != ours.get("x"):
            return Verdict(False, ["NIET GELDIG: deze badge is ondertekend met een andere sleutel dan die van dit instituut. "
                                   "Hij is niet door dit instituut uitgegeven (of je hebt de verkeerde openbare sleutel)."])
        if theirs:
            return Verdict(False, ["NIET GELDIG: de handtekening past niet bij de inhoud. De badge is na de uitgifte "
                                   "veranderd."])
        return Verdict(False, ["NIET GELDIG: deze badge is niet ondertekend met de sleutel van dit instituut. Hij is "
                               "niet door dit instituut uitgegeven, of hij is na de uitgifte veranderd."])
    verifier = OB3Verifier(public_key)
    try:
        verifier.verify(token, check_status=status_list is not None,
                        download=(lambda url: status_list) if status_list is not None else None)
    except OB3VerificationError as err:
        text = str(err).lower()
        if "expired" in text or "validuntil" in text or "exp" in text.split():
            return Verdict(False, [f"NIET GELDIG: deze badge is verlopen. Hij was geldig tot {_date(claims.get('validUntil'))}."])
        if "revoked" in text or "suspended" in text or "status 'revocation' is set" in text:
            return Verdict(False, ["NIET GELDIG: het instituut heeft deze badge ingetrokken."])
        if "status" in text:
            return Verdict(False, [f"NIET GECONTROLEERD: de intrekkingslijst past niet bij deze badge ({err})."])
        return Verdict(False, [f"NIET GELDIG: {err}"])
    issuer = claims.get("issuer") or {}
    achievement = (claims.get("credentialSubject") or {}).get("achievement") or {}
    lines = ["GELDIG: ondertekend met de sleutel van dit instituut en niet veranderd sinds de uitgifte.",
             f"Badge: {achievement.get('name', '')}",
             f"Uitgever: {issuer.get('name', '')} ({issuer.get('url') or issuer.get('id', '')})",
             f"Uitgegeven op: {_date(claims.get('validFrom'))}"]
    if claims.get("validUntil"):
        lines.append(f"Geldig tot: {_date(claims['validUntil'])}")
    lines.append("Intrekking: gecontroleerd met de intrekkingslijst van het instituut: niet ingetrokken."
                 if status_list is not None else
                 "Intrekking: niet gecontroleerd (geef met --status-list de status.json van het instituut mee).")
    for identity in (claims.get("credentialSubject") or {}).get("identifier") or []:
        if identity.get("identityType") == "emailAddress":
            if email:
                lines.append("Houder: het e-mailadres " + ("klopt." if email_matches(identity, email)
                                                           else "klopt NIET: deze badge is van iemand anders."))
            else:
                lines.append("Houder: aangeduid met een versleuteld e-mailadres. Vraag de houder om het adres en "
                             "controleer het met --email.")
        else:
            lines.append("Houder: aangeduid met een versleutelde gebruikersnaam bij het instituut (geen e-mailadres); "
                         "het instituut kan bevestigen wie het is.")
    if email and not any(i.get("identityType") == "emailAddress"
                         for i in (claims.get("credentialSubject") or {}).get("identifier") or []):
        return Verdict(False, lines + ["NIET BEVESTIGD: deze badge noemt geen e-mailadres om mee te vergelijken."])
    if email and not any(email_matches(i, email) for i in (claims.get("credentialSubject") or {}).get("identifier") or []):
        return Verdict(False, lines)
    return Verdict(True, lines)
