"""The demo certificate authority: a self-signed CA of 一ノ森市 standing in for J-LIS, and the card
certificates it issues (利用者証明用電子証明書).

Keys are ECDSA P-256. Real cards and J-LIS use RSA-2048; P-256 keeps generating a card fast (about a
millisecond), which matters when the demo issues hundreds of cards.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.db import IntegrityError, transaction
from django.utils import timezone

from yakuba.cardsim.models import FIRST_SERIAL, CertificateAuthority
from yakuba.core import crypto

CA_ID = 1
CA_COMMON_NAME = "一ノ森市 デモ認証局 (Yakuba demo J-LIS)"
CA_YEARS = 20
CARD_YEARS = 5


@dataclass(frozen=True)
class IssuedCertificate:
    serial: str  # the certificate serial number in decimal
    certificate_pem: str
    private_key_pem: str  # unencrypted PKCS#8: the caller stores it encrypted
    not_before: dt.datetime
    not_after: dt.datetime


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _years_later(start: dt.datetime, years: int) -> dt.datetime:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def _new_ca() -> CertificateAuthority:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME),
        ]
    )
    now = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(_years_later(now, CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertificateAuthority(
        id=CA_ID,
        private_key_enc=crypto.encrypt(_key_pem(key)),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        next_serial=FIRST_SERIAL,
    )


def ca_get(*, for_update: bool = False) -> CertificateAuthority:
    """The demo CA, created on first use. With ``for_update`` the row is locked until the caller's
    transaction ends (issuing takes the next serial under that lock)."""
    queryset = CertificateAuthority.objects.all()
    if for_update:
        queryset = queryset.select_for_update()
    found = queryset.filter(id=CA_ID).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            _new_ca().save(force_insert=True)
    except IntegrityError:
        pass  # another process created it first: use theirs
    return queryset.get(id=CA_ID)


def ca_certificate_pem() -> bytes:
    pem = CertificateAuthority.objects.filter(id=CA_ID).values_list("certificate_pem", flat=True).first()
    return (pem or ca_get().certificate_pem).encode()


def card_certificate_issue(
    *, not_before: dt.datetime | None = None, not_after: dt.datetime | None = None
) -> IssuedCertificate:
    """A new key pair and its certificate, signed by the CA with the next serial. Must run inside the
    caller's transaction (the CA row stays locked until it commits, so serials are never reused)."""
    ca = ca_get(for_update=True)
    serial = ca.next_serial
    CertificateAuthority.objects.filter(id=CA_ID).update(next_serial=serial + 1)

    ca_key = serialization.load_pem_private_key(crypto.decrypt(ca.private_key_enc).encode(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    ca_certificate = x509.load_pem_x509_certificate(ca.certificate_pem.encode())

    start = (not_before or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
    end = (
        (not_after.astimezone(dt.UTC).replace(microsecond=0))
        if not_after
        else _years_later(start, CARD_YEARS)
    )
    if end <= start:
        raise ValueError("not_after must be later than not_before")

    key = ec.generate_private_key(ec.SECP256R1())
    # Real 利用者証明用電子証明書 carry no name, address or number of the holder: only an identifier.
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"YKB-{secrets.token_hex(8).upper()}")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return IssuedCertificate(
        serial=str(serial),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        private_key_pem=_key_pem(key),
        not_before=start,
        not_after=end,
    )
