"""Encrypting a backup as a stream, so a city's database never sits in memory.

The file is ``MAGIC``, a random salt, then chunks of at most CHUNK bytes,
each sealed with AES-256-GCM under a key derived from the passphrase (scrypt).
Each chunk's nonce carries its number, and its associated data says whether
it is the last: a reordered, dropped, altered or cut-off file fails to open.
"""

import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"XUNCHA-BACKUP-1\n"
CHUNK = 4 * 1024 * 1024
SALT_BYTES = 16
MIN_PASSPHRASE = 12


class BackupDecryptError(Exception):
    pass


def derive_key(passphrase: str, salt: bytes) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValueError(f"备份口令至少 {MIN_PASSPHRASE} 个字符。")
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _aad(index: int, last: bool) -> bytes:
    return struct.pack(">I?", index, last)


def encrypt_stream(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    salt = os.urandom(SALT_BYTES)
    aead = AESGCM(derive_key(passphrase, salt))
    prefix = os.urandom(8)
    target.write(MAGIC + salt + prefix)
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        sealed = aead.encrypt(_nonce(prefix, index), chunk, _aad(index, last))
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, index = following, index + 1


def decrypt_stream(source: BinaryIO, passphrase: str) -> Iterator[bytes]:
    """The plain chunks, each checked before it is given out."""
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupDecryptError("这不是本系统的备份文件。")
    salt, prefix = source.read(SALT_BYTES), source.read(8)
    aead = AESGCM(derive_key(passphrase, salt))
    index = 0
    while True:
        header = source.read(4)
        if len(header) < 4:
            raise BackupDecryptError("备份文件不完整（在结尾之前被截断）。")
        sealed = source.read(struct.unpack(">I", header)[0])
        for last in (False, True):
            try:
                chunk = aead.decrypt(_nonce(prefix, index), sealed, _aad(index, last))
            except InvalidTag:
                continue
            yield chunk
            if last:
                if source.read(1):
                    raise BackupDecryptError("备份文件结尾之后还有多余内容。")
                return
            break
        else:
            raise BackupDecryptError("口令错误，或备份文件已被改动。")
        index += 1
