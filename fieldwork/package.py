"""The sealed file that carries a team's data to its laptop and back.

Layout: ``MAGIC`` · header length (4 bytes) · header (JSON) · Ed25519
signature (64 bytes) · ciphertext. The ciphertext is the payload (a zip)
sealed with AES-256-GCM under a key derived by scrypt from a passphrase that
travels separately; the header is its associated data. The signature covers
everything but itself, and the header names the signer's key fingerprint, so
a refusal can say which went wrong: another key signed it, the file was
changed, or the passphrase is wrong (only checked once the signature holds).

Out (office → laptop) is signed by the office's key (FIELD_SIGNING_KEY_FILE).
Back (laptop → office) is signed by a key made for that one export: its
private half travels inside the encrypted export, its public half stays on the
platform (FieldPackage.field_public_key). A return that verifies under it was
made from that export and nowhere else.
"""

import base64
import hashlib
import json
import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.utils.translation import gettext as _

MAGIC = b"XUNCHA-FIELD-1\n"
SIGNATURE_BYTES = 64
MIN_PASSPHRASE = 12
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
MAX_HEADER = 64 * 1024


class PackageRefused(Exception):
    """Why a package cannot be used, in words for the person holding it."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode())


def check_passphrase(passphrase: str) -> None:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise PackageRefused(_("口令至少 %(n)s 个字符。") % {"n": MIN_PASSPHRASE})


def _derive(passphrase: str, salt: bytes, kdf: dict) -> bytes:
    return Scrypt(salt=salt, length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(
        passphrase.encode()
    )


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_bytes(key)).hexdigest()[:32]


def private_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def seal(*, header: dict, payload: bytes, passphrase: str, signing_key: Ed25519PrivateKey) -> bytes:
    check_passphrase(passphrase)
    salt, nonce = os.urandom(16), os.urandom(12)
    header = {
        **header,
        "format": 1,
        "signer": fingerprint(signing_key.public_key()),
        "kdf": {"name": "scrypt", **SCRYPT, "salt": _b64(salt)},
        "nonce": _b64(nonce),
    }
    header_bytes = json.dumps(header, sort_keys=True, ensure_ascii=False).encode()
    head = MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes
    ciphertext = AESGCM(_derive(passphrase, salt, SCRYPT)).encrypt(nonce, payload, head)
    signature = signing_key.sign(head + ciphertext)
    return head + signature + ciphertext


def read_header(data: bytes) -> tuple[dict, bytes, bytes, bytes]:
    """The header as sent (not yet trusted), the signed bytes, the signature, the ciphertext."""
    if not data.startswith(MAGIC):
        raise PackageRefused(_("这不是巡察单机系统的数据包。"))
    offset = len(MAGIC)
    if len(data) < offset + 4:
        raise PackageRefused(_("数据包不完整。"))
    (length,) = struct.unpack(">I", data[offset : offset + 4])
    if length > MAX_HEADER or len(data) < offset + 4 + length + SIGNATURE_BYTES:
        raise PackageRefused(_("数据包不完整或已被改动。"))
    header_end = offset + 4 + length
    try:
        header = json.loads(data[offset + 4 : header_end].decode())
    except (UnicodeDecodeError, ValueError):
        raise PackageRefused(_("数据包已被改动（文件头无法读取）。")) from None
    if not isinstance(header, dict):
        raise PackageRefused(_("数据包已被改动（文件头无法读取）。"))
    signature = data[header_end : header_end + SIGNATURE_BYTES]
    ciphertext = data[header_end + SIGNATURE_BYTES :]
    return header, data[:header_end] + ciphertext, signature, ciphertext


def open_package(
    data: bytes, *, passphrase: str, verify_key: Ed25519PublicKey, signer_name: str
) -> tuple[dict, bytes]:
    """Verify, then decrypt: (header, payload), or PackageRefused saying why."""
    header, signed, signature, ciphertext = read_header(data)
    if header.get("signer") != fingerprint(verify_key):
        raise PackageRefused(
            _("数据包不是由%(signer)s的密钥签名的，拒绝导入。") % {"signer": signer_name}
        )
    try:
        verify_key.verify(signature, signed)
    except InvalidSignature:
        raise PackageRefused(_("数据包签名不符：文件在签名之后被改动过，拒绝导入。")) from None
    check_passphrase(passphrase)
    try:
        kdf = header["kdf"]
        # The work factors are ours, never the sender's: a header asking for a
        # huge n or r would make the import exhaust the server's memory.
        if {name: kdf.get(name) for name in SCRYPT} != SCRYPT or kdf.get("name") != "scrypt":
            raise PackageRefused(_("数据包的加密参数与本系统的不符，拒绝导入。"))
        key = _derive(passphrase, _unb64(kdf["salt"]), SCRYPT)
        head = signed[: len(signed) - len(ciphertext)]
        payload = AESGCM(key).decrypt(_unb64(header["nonce"]), ciphertext, head)
    except InvalidTag:
        raise PackageRefused(_("口令错误，无法解密数据包。")) from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise PackageRefused(_("数据包已被改动（加密参数无法读取）。")) from None
    return header, payload


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the office's signing key ------------------------------------------------


def generate_key_file(path: Path) -> Ed25519PublicKey:
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public_path = public_key_path(path)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return key.public_key()


def public_key_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.name + ".pub")


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise PackageRefused(
            _("尚未生成巡察办签名密钥：请先运行 manage.py field_keygen。")
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise PackageRefused(_("签名密钥文件不是 Ed25519 私钥。"))
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except FileNotFoundError:
        raise PackageRefused(_("找不到巡察办公钥文件：%(path)s") % {"path": path}) from None
    if not isinstance(key, Ed25519PublicKey):
        raise PackageRefused(_("公钥文件不是 Ed25519 公钥。"))
    return key


def raw_public_key(data: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes(data))


def raw_private_key(data: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(data)
