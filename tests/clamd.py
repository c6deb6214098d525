"""A private ClamAV daemon for the tests, with one signature: EICAR's test file.

Signatures cannot be downloaded here (no freshclam): the daemon's database is a single ``.ndb``
line (name, any file type, at any offset, the bytes in hex) that finds the 68-byte EICAR test
string wherever it sits in a file, written in a folder of its own. The
daemon listens on a free port of 127.0.0.1 and on a UNIX socket beside its configuration.
"""

import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path

from .workers import stop, wait_for

# Built from parts, so that no file of the repository is itself the test virus.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*"
SIGNATURE = "Portal-Test.EICAR"


def clamd_binary() -> str | None:
    return shutil.which("clamd") or next(
        (path for path in ("/usr/sbin/clamd", "/usr/local/sbin/clamd") if os.access(path, os.X_OK)), None
    )


def answers_pong(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"nPING\n")
            return sock.recv(16).strip() == b"PONG"
    except OSError:
        return False


class Clamd:
    def __init__(self, binary: str, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.socket_path = folder / "clamd.sock"
        database = folder / "db"
        database.mkdir(parents=True)
        (database / "portal-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
        config = folder / "clamd.conf"
        config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"DatabaseDirectory {database}",
                    f"TemporaryDirectory {folder}",
                    f"LogFile {folder / 'clamd.log'}",
                    f"LocalSocket {self.socket_path}",
                    "TCPAddr 127.0.0.1",
                    f"TCPSocket {port}",
                    "MaxThreads 2",
                    "StreamMaxLength 20M",
                    "",
                ]
            )
        )
        self.log = open(folder / "output.log", "wb")  # noqa: SIM115 -- closed in stop()
        self.process = subprocess.Popen(
            [binary, "-c", str(config)], stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_for(lambda: self.process.poll() is not None or answers_pong(port), timeout=60, message="clamd")
        except AssertionError:
            self.stop()
            raise
        if self.process.poll() is not None:
            self.stop()
            raise RuntimeError(f"clamd did not start: {(folder / 'output.log').read_text(errors='replace')}")

    @property
    def tcp_url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def unix_url(self) -> str:
        return f"unix://{self.socket_path}"

    def stop(self) -> None:
        stop(self.process)
        self.log.close()


class SilentServer:
    """Accepts connections but never reads or answers: a daemon that hangs."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(connection)

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        for connection in self.connections:
            connection.close()
        self.listener.close()
