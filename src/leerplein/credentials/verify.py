"""`leerplein badge verify FILE`: check a badge offline and say in plain words what is wrong."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Verdict:
    ok: bool
    lines: list[str] = field(default_factory=list)


def _header(token: str) -> dict:
    head = token.split(".", 1)[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


def verify_file(path: Path, public_key: bytes, status_list: bytes | None = None) -> Verdict:
    from openbadgeslib.errors import LibOpenBadgesException
    from openbadgeslib.keys import public_jwk_from_pem
    from openbadgeslib.ob3 import OB3Verifier, OB3VerificationError

    data = Path(path).read_bytes()
    try:
        token = OB3Verifier.extract_token_from_png(data)
    except (LibOpenBadgesException, ValueError) as err:
        return Verdict(False, [f"No badge found in {Path(path).name}: it is not a baked Open Badges 3.0 PNG ({err})."])
    try:
        signer_key = _header(token).get("jwk", {})
    except ValueError:
        signer_key = {}
    ours = public_jwk_from_pem(public_key)
    verifier = OB3Verifier(public_key)
    try:
        credential = verifier.verify(token, check_status=status_list is not None,
                                     download=(lambda url: status_list) if status_list is not None else None)
    except OB3VerificationError as err:
        text = str(err).lower()
        if signer_key and signer_key.get("x") != ours.get("x"):
            return Verdict(False, ["NOT VALID: this badge was signed with a different key than this institute's. "
                                   "It was not issued by this institute (or you have the wrong public key)."])
        if "expired" in text or "validuntil" in text or "exp" in text.split():
            return Verdict(False, ["NOT VALID: this badge has expired. Its end date has passed."])
        if "revoked" in text or "suspended" in text or "status 'revocation' is set" in text:
            return Verdict(False, ["NOT VALID: the institute has revoked this badge."])
        if "signature" in text:
            return Verdict(False, ["NOT VALID: the signature does not match the contents. The badge was changed "
                                   "after it was issued."])
        return Verdict(False, [f"NOT VALID: {err}"])
    lines = ["VALID: signed by this institute's key and unchanged since it was issued.",
             f"Badge: {credential.achievement.name}", f"Issuer: {credential.issuer.name} ({credential.issuer.id})",
             f"Issued: {credential.issuance_date:%Y-%m-%d}"]
    if credential.expiration_date:
        lines.append(f"Valid until: {credential.expiration_date:%Y-%m-%d}")
    lines.append("Revocation: checked against the status list, not revoked." if status_list is not None
                 else "Revocation: not checked (pass --status-list with the institute's status.json).")
    for identity in credential.identifiers:
        lines.append(f"Holder: given as a salted hash ({identity.identity_type}); ask the holder for the value to check it.")
    return Verdict(True, lines)
