"""Dossier encryption and upload, against baselines measured in the same run.

1. Encrypt-and-upload of a 256 MB file through the project's code (Tink streaming AEAD into the S3 object
   store, multipart) vs a plain boto3 multipart upload of the same bytes to the same moto server.
   Target: ratio ≤ 1.3.
2. The streaming AEAD's own throughput vs AES-256-GCM from `cryptography` on one 64 MB buffer.
3. Peak memory (RSS) growth while uploading and downloading a 1 GB file. Target: ≤ 64 MB.

    .venv/bin/python benchmarks/dossier_upload.py [--size-mb 256] [--big-mb 1024] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import boto3
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from meldpunt.dossiers.crypto import associated_data, decrypt_stream, encrypt_stream
from meldpunt.dossiers.keys import _new_case_material
from meldpunt.dossiers.storage import S3ObjectStore, object_key

PART = 8 * 1024 * 1024
BLOCK = os.urandom(1 << 20)


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ):
        os.environ.setdefault(name, value)
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{endpoint}/moto-api/", timeout=1)
            return server, endpoint
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("moto did not start")


def plain_multipart(client: object, bucket: str, key: str, size_mb: int) -> float:
    """The baseline: boto3 multipart of the same bytes, 8 MiB parts, no encryption."""
    started = time.perf_counter()
    upload = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]  # type: ignore[attr-defined]
    parts: list[dict[str, object]] = []

    def send(body: bytes) -> None:
        number = len(parts) + 1
        answer = client.upload_part(  # type: ignore[attr-defined]
            Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=body
        )
        parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    buffer = bytearray()
    for _ in range(size_mb):
        buffer += BLOCK
        if len(buffer) >= PART:
            send(bytes(buffer[:PART]))
            del buffer[:PART]
    if buffer:
        send(bytes(buffer))
    client.complete_multipart_upload(  # type: ignore[attr-defined]
        Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}
    )
    return time.perf_counter() - started


async def plaintext(size_mb: int) -> AsyncIterator[bytes]:
    for _ in range(size_mb):
        yield BLOCK


async def encrypted_upload(store: S3ObjectStore, size_mb: int) -> tuple[float, str, tuple[uuid.UUID, ...]]:
    tenant, case, document = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    material = _new_case_material()
    key = object_key(tenant, case, document)
    started = time.perf_counter()
    await store.put(
        key, encrypt_stream(material, associated_data(tenant, case, document, "content"), plaintext(size_mb))
    )
    return time.perf_counter() - started, key, (tenant, case, document)


def aead_throughput(size_mb: int, rounds: int) -> tuple[float, float]:
    import io

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from meldpunt.dossiers.crypto import _primitive

    buffer = os.urandom(size_mb << 20)
    material = _primitive(_new_case_material())
    key = AESGCM(os.urandom(32))
    tink_times, gcm_times = [], []
    for _ in range(rounds):
        sink = io.BytesIO()
        started = time.perf_counter()
        stream = material.new_encrypting_stream(sink, b"aad")
        stream.write(buffer)
        stream.close()
        tink_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        key.encrypt(os.urandom(12), buffer, b"aad")
        gcm_times.append(time.perf_counter() - started)
    return statistics.median(tink_times), statistics.median(gcm_times)


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--big-mb", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    server, endpoint = start_moto()
    try:
        client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-central-1")
        bucket = f"bench-{secrets.token_hex(4)}"
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        store = S3ObjectStore(client, bucket, PART)

        # 3. Memory first, in a process that has not yet held large buffers.
        base_rss = max_rss_mb()
        tenant, case, document = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        material = _new_case_material()
        aad = associated_data(tenant, case, document, "content")
        big_key = object_key(tenant, case, document)
        await store.put(big_key, encrypt_stream(material, aad, plaintext(options.big_mb)))
        after_upload = max_rss_mb()
        read = 0
        async for chunk in decrypt_stream(material, aad, store.get(big_key)):
            read += len(chunk)
        after_download = max_rss_mb()
        assert read == options.big_mb << 20
        await store.delete(big_key)

        # 1. Upload: interleaved rounds, medians.
        plain_times, ours_times = [], []
        for round_number in range(options.rounds):
            order = ["plain", "ours"] if round_number % 2 == 0 else ["ours", "plain"]
            for which in order:
                if which == "plain":
                    key = f"plain/{uuid.uuid4()}"
                    plain_times.append(plain_multipart(client, bucket, key, options.size_mb))
                    client.delete_object(Bucket=bucket, Key=key)
                else:
                    elapsed, key, _ = await encrypted_upload(store, options.size_mb)
                    ours_times.append(elapsed)
                    await store.delete(key)
        tink_seconds, gcm_seconds = aead_throughput(64, options.rounds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    plain, ours = statistics.median(plain_times), statistics.median(ours_times)
    print(f"1. upload of {options.size_mb} MB to moto S3 (median of {options.rounds}, interleaved)")
    print(f"   plain boto3 multipart:        {plain:6.2f} s  ({options.size_mb / plain:6.1f} MB/s)")
    print(f"   encrypt-and-upload (project): {ours:6.2f} s  ({options.size_mb / ours:6.1f} MB/s)")
    print(f"   ratio: {ours / plain:.3f}   target ≤ 1.3")
    print("2. AEAD throughput on one 64 MB buffer")
    print(f"   Tink AES256-GCM-HKDF-1MB streaming: {64 / tink_seconds:7.1f} MB/s")
    print(f"   cryptography AES-256-GCM one-shot:   {64 / gcm_seconds:7.1f} MB/s")
    print(f"   ratio (time, Tink / AES-GCM): {tink_seconds / gcm_seconds:.3f}")
    print(f"3. peak memory (RSS) for a {options.big_mb} MB file, encrypted up and decrypted down")
    print(f"   before {base_rss:.0f} MB, after upload {after_upload:.0f} MB, after download {after_download:.0f} MB")
    print(f"   growth: {after_download - base_rss:.0f} MB   target ≤ 64 MB")


if __name__ == "__main__":
    asyncio.run(main())
