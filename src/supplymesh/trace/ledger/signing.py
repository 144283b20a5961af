"""Ed25519 keys for signing tree heads; the private key lives only encrypted with a passphrase.

The enterprise holds the passphrase, so the platform operator, who stores only the encrypted
PEM, cannot sign tree heads for it.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def generate_key(passphrase: bytes) -> tuple[bytes, bytes]:
    """A new key pair: (private key PEM encrypted with `passphrase`, public key PEM)."""
    if not passphrase:
        raise ValueError("a signing key needs a non-empty passphrase")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    return private_pem, public_pem(key.public_key())


def public_pem(key: Ed25519PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM of a public key."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(private_pem: bytes, passphrase: bytes) -> Ed25519PrivateKey:
    """Decrypt a private key; a wrong passphrase raises ValueError."""
    key = serialization.load_pem_private_key(private_pem, password=passphrase)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """Parse a public key PEM; anything but Ed25519 raises ValueError."""
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def key_id(pem: bytes) -> str:
    """SHA-256 of the raw public key, hex: what witnesses and pinning compare."""
    raw = load_public_key(pem).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return hashlib.sha256(raw).hexdigest()


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """Base64 Ed25519 signature."""
    return base64.b64encode(key.sign(message)).decode("ascii")


def verify(pem: bytes, message: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is valid for `message` under the public key."""
    try:
        load_public_key(pem).verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True
