"""What the figures were measured on: they mean little without it."""

import os
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib():
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2**20, 1)
    return None


def filesystem(path):
    """The type of the file system holding ``path`` (``ext4``, ``tmpfs``...)."""
    if not path:
        return None
    best, kind = "", None
    for line in Path("/proc/mounts").read_text().splitlines():
        mount, fstype = line.split()[1:3]
        if str(path).startswith(mount) and len(mount) > len(best):
            best, kind = mount, fstype
    return kind


def wrk_version():
    wrk = shutil.which("wrk")
    output = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout
    return output.split()[1] if output.split() else None


def describe(database, redis_version, server_kind, pool="off"):
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": metadata.version("django"),
        "app_server": f"{server_kind} {metadata.version(server_kind)}"
        + (f", psycopg pool {metadata.version('psycopg-pool')}" if pool == "on" else ""),
        "load_generator": f"wrk {wrk_version()}",
        "postgresql": database["server_version"],
        "durability": (
            f"fsync={database['fsync']}, synchronous_commit={database['synchronous_commit']}"
        ),
        "database_filesystem": filesystem(database["data_directory"]),
        "redis": redis_version,
    }
