"""The shared file system backend (NFS/CephFS mounted at the same path on every app server)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from core.storage.base import KEY, Storage, StorageUnavailable, check_key


class FileStorage(Storage):
    def __init__(self, root) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        target = self._path(key)
        tmp = target.with_name(target.name + ".part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)  # atomic on one file system: whole file or none
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StorageUnavailable(str(exc)) from exc

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def keys(self) -> Iterator[tuple[str, float]]:
        if not self.root.is_dir():
            return
        for folder in sorted(os.scandir(self.root), key=lambda e: e.name):
            if not folder.is_dir(follow_symlinks=False):
                continue
            with os.scandir(folder.path) as entries:
                for e in entries:
                    key = f"{folder.name}/{e.name}"
                    if KEY.fullmatch(key) and e.is_file(follow_symlinks=False):
                        yield key, e.stat(follow_symlinks=False).st_mtime
