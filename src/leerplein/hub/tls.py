"""HTTPS on the hub's own proxy: the institute's certificate, checked before the hub starts.

Every user's server and every service has an origin of its own (`<user>.<host>`), so the
certificate must name the hub's host and the wildcard `*.<host>`. A mistake here shows up as a
browser warning on the first student's server, in front of the class; `check_certificate` says it
at `hub start` instead."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from leerplein.hub.errors import HubError


def names_in(cert_pem: bytes) -> list[str]:
    """The DNS names a certificate is valid for (its subjectAltName; none: its common name)."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_pem)
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName)
    except x509.ExtensionNotFound:
        return [a.value for a in cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)]


def covers(names: list[str], host: str) -> bool:
    host = host.lower().rstrip(".")
    for name in (n.lower().rstrip(".") for n in names):
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def check_certificate(cert: Path, key: Path, public_url: str) -> tuple[str, str]:
    """Both files readable, the key private, the key belonging to the certificate, the
    certificate valid now and for <host> and *.<host>. Returns their absolute paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    if urlsplit(public_url).scheme != "https":
        raise HubError(f"With --ssl-cert the hub serves https: give --public-url https://… (now {public_url}).")
    cert, key = Path(cert).resolve(), Path(key).resolve()
    try:
        cert_pem, key_pem = cert.read_bytes(), key.read_bytes()
    except OSError as err:
        raise HubError(f"Cannot read the certificate or its key: {err}") from err
    if os.stat(key).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise HubError(f"The private key {key} can be read by other users; make it root's alone: chmod 600 {key}")
    try:
        certificate = x509.load_pem_x509_certificate(cert_pem)
        private = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as err:
        raise HubError(f"{cert} or {key} is not a PEM certificate / unencrypted PEM key: {err}") from err
    if private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo):
        raise HubError(f"The key {key} does not belong to the certificate {cert}.")
    now = datetime.now(timezone.utc)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise HubError(f"The certificate {cert} is not valid now (valid {certificate.not_valid_before_utc:%Y-%m-%d} "
                       f"to {certificate.not_valid_after_utc:%Y-%m-%d}).")
    host = urlsplit(public_url).hostname or ""
    if "." not in host:
        raise HubError(f"Browsers accept no wildcard certificate for *.{host} (a single-label name): give the hub a "
                       f"name with a dot, e.g. --public-url https://hub.{host}:PORT or https://hub.example.nl.")
    names = names_in(cert_pem)
    missing = [n for n in (host, f"student.{host}") if not covers(names, n)]
    if missing:
        raise HubError(f"The certificate {cert} is for {', '.join(names) or 'no names'}, but the hub needs {host} "
                       f"and *.{host} (every user's server has its own subdomain). Ask for a certificate with both "
                       f"names (Let's Encrypt: the DNS-01 challenge).")
    return str(cert), str(key)
