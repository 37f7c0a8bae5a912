"""Private signing keys on disk: one PKCS#8 PEM file per key, mode 0600, optionally passphrase-encrypted.

Private keys never enter the database, an API response or a log line; the database names the file only.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain.keys import Ed25519Signer
from app.errors import McredError


class KeyStoreError(McredError):
    slug = "keystore"
    title = "Signing key unavailable"


class KeyStore:
    def __init__(self, directory: Path, passphrase: str | None = None):
        self.directory = Path(directory)
        self._passphrase = passphrase.encode() if passphrase else None
        # Parsing (and with a passphrase, scrypt-decrypting) a PEM costs far more than a signature: keep them.
        self._cache: dict[str, Ed25519PrivateKey] = {}

    def _encryption(self):
        if self._passphrase:
            return serialization.BestAvailableEncryption(self._passphrase)
        return serialization.NoEncryption()

    def save_new(self, private_key: Ed25519PrivateKey, stem: str) -> str:
        """Write a new key file; returns its name relative to the key directory. Never overwrites.

        The directory is made owner-only (0700): created so, or tightened if it is open to others.
        """
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.directory.stat().st_mode & 0o077:
            self.directory.chmod(0o700)
        name = f"{stem}-{secrets.token_hex(4)}.pem"
        pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        self._encryption())
        # O_EXCL + 0600 at creation: the file is never readable by others, not even for an instant.
        fd = os.open(self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        return name

    def remove(self, name: str) -> None:
        """Delete a key file that was written for a transaction that then failed (nothing refers to it)."""
        self._cache.pop(name, None)
        (self.directory / Path(name).name).unlink(missing_ok=True)

    def load(self, name: str) -> Ed25519PrivateKey:
        if name in self._cache:
            return self._cache[name]
        path = self.directory / name
        if Path(name).name != name:
            raise KeyStoreError("Invalid key file name.")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KeyStoreError(f"The signing key file {name} is missing from the key directory.") from exc
        try:
            key = serialization.load_pem_private_key(data, password=self._passphrase)
        except (TypeError, ValueError) as exc:
            raise KeyStoreError(f"The signing key file {name} cannot be read (wrong passphrase?).") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyStoreError(f"The signing key file {name} is not an Ed25519 key.")
        self._cache[name] = key
        return key

    def signer(self, key) -> Ed25519Signer:
        """A signer for a ``SigningKey`` row: its private key from disk, named by its verification method."""
        return Ed25519Signer(self.load(key.key_file), key.verification_method)
