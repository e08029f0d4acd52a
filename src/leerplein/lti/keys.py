"""The tool's own RSA key pair: the private key signs the client assertion for the LMS's token
endpoint (AGS, NRPS); the public half is served as a JWKS for the LMS. Made once at `hub start`,
root only (0600 in a 0700 folder)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from leerplein.lti.config import private_dir

KEY_NAME = "tool-key.pem"


def key_path(state: Path) -> Path:
    return private_dir(state) / KEY_NAME


def ensure_key(state: Path) -> Path:
    path = key_path(state)
    if path.is_symlink():
        path.unlink()
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
    os.chmod(path, 0o600)
    return path


def private_key(state: Path):
    return serialization.load_pem_private_key(key_path(state).read_bytes(), password=None)


def key_id(public_key) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:16]


def public_jwks(state: Path) -> dict:
    public = private_key(state).public_key()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
    jwk.update({"kid": key_id(public), "alg": "RS256", "use": "sig"})
    return {"keys": [jwk]}
