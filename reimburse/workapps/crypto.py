"""Callback signatures and encryption, exactly as the platforms document them (pure, no I/O).

WeCom (企业微信 "加解密方案") and DingTalk (钉钉 "回调加解密") share one scheme:

- ``msg_signature`` = hex SHA-1 of the sorted concatenation of token, timestamp, nonce and the
  encrypted text;
- AES-256-CBC with key = base64decode(EncodingAESKey + "="), IV = the key's first 16 bytes,
  PKCS#7 padding to a multiple of 32 bytes;
- plaintext = 16 random bytes + 4-byte big-endian length + message + receive id (WeCom: the
  corp id; DingTalk: the app key, or the corp id for old-style callbacks).

Feishu (飞书 "事件订阅 Encrypt Key"): key = SHA-256(encrypt key), AES-256-CBC, PKCS#7 (16),
the IV is the first 16 bytes of the base64-decoded ciphertext; ``X-Lark-Signature`` = hex
SHA-256 of timestamp + nonce + encrypt key + raw body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class CallbackRefused(Exception):
    """A callback that is not from the platform (bad signature, undecryptable, wrong app)."""


# --- WeCom and DingTalk ------------------------------------------------------------------------


def sha1_signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def decode_aes_key(encoding_aes_key: str) -> bytes:
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as exc:
        raise ValueError("the EncodingAESKey is not base64") from exc
    if len(key) != 32:
        raise ValueError("the EncodingAESKey must be 43 characters (32 bytes once decoded)")
    return key


def _pkcs7_pad(data: bytes, block: int) -> bytes:
    n = block - len(data) % block
    return data + bytes([n]) * n


def _pkcs7_unpad(data: bytes, block: int) -> bytes:
    if not data:
        raise CallbackRefused("empty plaintext")
    n = data[-1]
    if not 1 <= n <= block or data[-n:] != bytes([n]) * n:
        raise CallbackRefused("bad padding")
    return data[:-n]


def wx_encrypt(encoding_aes_key: str, message: bytes, receive_id: str, random16: bytes | None = None) -> str:
    """The base64 ciphertext of ``message`` (``random16`` fixed only to check published vectors)."""
    key = decode_aes_key(encoding_aes_key)
    prefix = random16 if random16 is not None else os.urandom(16)
    plain = prefix + struct.pack(">I", len(message)) + message + receive_id.encode()
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(_pkcs7_pad(plain, 32)) + enc.finalize()).decode()


def wx_decrypt(encoding_aes_key: str, encrypted: str, receive_id: str | None) -> bytes:
    """The message inside ``encrypted``; refused if it names another receiver."""
    key = decode_aes_key(encoding_aes_key)
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except binascii.Error as exc:
        raise CallbackRefused("the encrypted text is not base64") from exc
    if not raw or len(raw) % 16:
        raise CallbackRefused("the encrypted text is not whole AES blocks")
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = _pkcs7_unpad(dec.update(raw) + dec.finalize(), 32)
    if len(plain) < 20:
        raise CallbackRefused("plaintext too short")
    (length,) = struct.unpack(">I", plain[16:20])
    message, receiver = plain[20 : 20 + length], plain[20 + length :]
    if len(message) != length:
        raise CallbackRefused("bad message length")
    if receive_id is not None and receiver.decode(errors="replace") != receive_id:
        raise CallbackRefused("the callback is for another app")
    return message


def wx_open(
    token: str,
    encoding_aes_key: str,
    receive_id: str | None,
    *,
    signature: str,
    timestamp: str,
    nonce: str,
    encrypted: str,
) -> bytes:
    """Check the signature, then decrypt: the one entry point for an incoming callback."""
    expected = sha1_signature(token, timestamp, nonce, encrypted)
    if not hmac.compare_digest(expected, signature.lower()):
        raise CallbackRefused("bad signature")
    return wx_decrypt(encoding_aes_key, encrypted, receive_id)


# --- Feishu ------------------------------------------------------------------------------------


def feishu_decrypt(encrypt_key: str, encrypted: str) -> bytes:
    key = hashlib.sha256(encrypt_key.encode()).digest()
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except binascii.Error as exc:
        raise CallbackRefused("the encrypted text is not base64") from exc
    if len(raw) < 32 or len(raw) % 16:
        raise CallbackRefused("the encrypted text is not an IV and whole AES blocks")
    dec = Cipher(algorithms.AES(key), modes.CBC(raw[:16])).decryptor()
    return _pkcs7_unpad(dec.update(raw[16:]) + dec.finalize(), 16)


def feishu_encrypt(encrypt_key: str, message: bytes, iv: bytes | None = None) -> str:
    key = hashlib.sha256(encrypt_key.encode()).digest()
    iv = iv if iv is not None else os.urandom(16)
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + enc.update(_pkcs7_pad(message, 16)) + enc.finalize()).decode()


def feishu_signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def feishu_check_signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes, signature: str) -> None:
    if not hmac.compare_digest(feishu_signature(timestamp, nonce, encrypt_key, body), signature.lower()):
        raise CallbackRefused("bad signature")
