"""Sign-in credentials made for one field package (one laptop), never the office's.

A lost laptop must not carry anything that opens the office's system: each
export gives every member a fresh random password and a fresh authenticator
secret that exist only for that package. The package holds the password's
hash (Django's own hasher and work factor, so the laptop checks it as the
office would) and the new authenticator; the office's hash and devices stay
at the office.

The clear values leave the office once, on the 领取单 (hand-out sheet) the
exporter downloads: until then they are kept only sealed (AES-256-GCM under a
key derived from SECRET_KEY, bound to the package), never in a log, a job
result or the package's manifest.
"""

import json
import os
import secrets
from base64 import b32encode
from dataclasses import asdict, dataclass
from urllib.parse import quote, urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

# No 0/O, 1/I/L: read off paper and typed on a laptop without asking twice.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_LENGTH = 4, 4  # 16 characters of 31: about 79 bits
TOTP_KEY_BYTES = 20  # django-otp's default key length (160 bits, RFC 4226)
DEVICE_NAME = "单机身份验证器"


def field_password() -> str:
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )


def totp_key() -> str:
    """A TOTPDevice key (hex), as django-otp stores it."""
    return secrets.token_hex(TOTP_KEY_BYTES)


@dataclass(frozen=True)
class FieldCredential:
    username: str
    full_name: str
    password: str
    totp_key: str  # hex

    @property
    def totp_secret(self) -> str:
        """Base32, as authenticator apps take it typed in."""
        return b32encode(bytes.fromhex(self.totp_key)).decode()

    @property
    def totp_secret_grouped(self) -> str:
        secret = self.totp_secret
        return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))

    def otpauth_url(self, label: str) -> str:
        """The authenticator's QR content. Its issuer is not the office's, so
        scanning it adds an entry beside the office account instead of
        replacing it in the app."""
        issuer = f"{settings.OTP_TOTP_ISSUER}单机版".replace(":", "")
        account = f"{issuer}:{self.username}@{label}".replace("?", "")
        params = urlencode(
            {"secret": self.totp_secret, "algorithm": "SHA1", "digits": 6, "period": 30}
        )
        return f"otpauth://totp/{quote(account)}?{params}&issuer={quote(issuer)}"


def _key(package_id: str) -> bytes:
    return salted_hmac("xuncha.fieldwork.handout", package_id, algorithm="sha256").digest()


def seal_credentials(package_id: str, credentials: list[FieldCredential]) -> bytes:
    nonce = os.urandom(12)
    plain = json.dumps([asdict(c) for c in credentials], ensure_ascii=False).encode()
    return nonce + AESGCM(_key(package_id)).encrypt(nonce, plain, package_id.encode())


def open_credentials(package_id: str, sealed: bytes) -> list[FieldCredential]:
    """The sheet's credentials; ValueError when the key (SECRET_KEY) changed since."""
    sealed = bytes(sealed)
    try:
        plain = AESGCM(_key(package_id)).decrypt(sealed[:12], sealed[12:], package_id.encode())
    except InvalidTag:
        raise ValueError(_("领取单无法解密（系统密钥已更换）。")) from None
    return [FieldCredential(**row) for row in json.loads(plain)]
