"""Encryption of case content with the case's key: files as a stream (Tink AES256-GCM-HKDF, 1 MiB
segments), short texts in one piece (AES-256-GCM). The associated data binds each ciphertext to
(tenant, case, document or field): moved elsewhere, it does not decrypt.

Tink's streams are synchronous; the bridges below run them in worker threads so that an upload or
download streams through the event loop with memory bounded by a segment or two.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

import anyio
import anyio.from_thread
import tink
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from tink import secret_key_access, streaming_aead

from meldpunt.dossiers.keys import CaseKeyMaterial

streaming_aead.register()
READ_SIZE = 1 << 20


class DecryptionFailed(Exception):
    """The ciphertext was altered, truncated, or belongs to another case, document or key."""


def associated_data(tenant_id: uuid.UUID, case_id: uuid.UUID, item_id: uuid.UUID, purpose: str) -> bytes:
    return f"meldpunt/v1|{tenant_id}|{case_id}|{item_id}|{purpose}".encode()


def _primitive(material: CaseKeyMaterial) -> Any:
    handle = tink.proto_keyset_format.parse(material.streaming_keyset, secret_key_access.TOKEN)
    return handle.primitive(streaming_aead.StreamingAead)


class _Sink(io.RawIOBase):
    """Where Tink writes ciphertext; drained after each write, so it holds at most a segment or two."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += data
        return len(data)

    def close(self) -> None:
        """Tink closes its destination; the buffer stays readable for the last drain."""

    def drain(self) -> bytes:
        taken = bytes(self.buffer)
        self.buffer.clear()
        return taken


async def encrypt_stream(material: CaseKeyMaterial, aad: bytes, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """Ciphertext chunks for the plaintext chunks, as they come."""
    sink = _Sink()
    encrypting = _primitive(material).new_encrypting_stream(sink, aad)
    async for chunk in chunks:
        await anyio.to_thread.run_sync(encrypting.write, chunk)
        if sink.buffer:
            yield sink.drain()
    await anyio.to_thread.run_sync(encrypting.close)
    if sink.buffer:
        yield sink.drain()


class _AsyncSource(io.RawIOBase):
    """A blocking reader (for Tink, in a worker thread) over an async iterator of ciphertext chunks."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""
        self.done = False

    def readable(self) -> bool:
        return True

    async def _next(self) -> bytes | None:
        try:
            return await self.chunks.__anext__()
        except StopAsyncIteration:
            return None

    def readinto(self, target: Any) -> int:
        while not self.pending and not self.done:
            chunk = anyio.from_thread.run(self._next)
            if chunk is None:
                self.done = True
            else:
                self.pending = chunk
        size = min(len(target), len(self.pending))
        target[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


async def decrypt_stream(material: CaseKeyMaterial, aad: bytes, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Plaintext chunks; raises DecryptionFailed at the first segment that does not authenticate."""
    try:
        decrypting = _primitive(material).new_decrypting_stream(io.BufferedReader(_AsyncSource(chunks)), aad)
        while chunk := await anyio.to_thread.run_sync(decrypting.read, READ_SIZE):
            yield chunk
    except tink.TinkError:
        raise DecryptionFailed("the file cannot be decrypted: altered, truncated, or not this document's") from None


def encrypt_text(material: CaseKeyMaterial, plaintext: str, aad: bytes) -> bytes:
    """A narrative, message or note: nonce || AES-256-GCM(text key, utf-8, aad)."""
    nonce = os.urandom(12)
    return nonce + AESGCM(material.text_key).encrypt(nonce, plaintext.encode(), aad)


def decrypt_text(material: CaseKeyMaterial, sealed: bytes, aad: bytes) -> str:
    try:
        return AESGCM(material.text_key).decrypt(sealed[:12], sealed[12:], aad).decode()
    except InvalidTag:
        raise DecryptionFailed("the text cannot be decrypted: altered, or not this field's") from None
