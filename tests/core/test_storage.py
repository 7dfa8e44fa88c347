"""Both document storage backends pass the same tests: the shared file system and S3 (a real SeaweedFS)."""
from __future__ import annotations

import pytest

from core.storage import S3Storage, StorageUnavailable, new_key
from core.storage.base import KEY


def test_put_get_delete_round_trip(any_storage):
    key = new_key("jpg")
    assert KEY.fullmatch(key)
    assert any_storage.get(key) is None
    any_storage.put(key, b"\xff\xd8\xffdata", "image/jpeg")
    assert any_storage.get(key) == b"\xff\xd8\xffdata"
    any_storage.put(key, b"second", "image/jpeg")  # overwrite is whole
    assert any_storage.get(key) == b"second"
    any_storage.delete(key)
    assert any_storage.get(key) is None
    any_storage.delete(key)  # already gone: no error


def test_keys_lists_stored_files_with_times(any_storage):
    stored = {new_key("jpg") for _ in range(3)}
    for key in stored:
        any_storage.put(key, b"x" * 10, "image/jpeg")
    listed = dict(any_storage.keys())
    assert set(listed) == stored
    assert all(t > 1_600_000_000 for t in listed.values())


@pytest.mark.parametrize("bad", ["../etc/passwd", "ab/../../x.jpg", "/abs/path.jpg", "ab/short.jpg",
                                 "zz/" + "0" * 32 + ".jpg", "", "ab/" + "0" * 32])
def test_a_key_not_made_by_new_key_is_refused(any_storage, bad):
    for call in (lambda: any_storage.get(bad), lambda: any_storage.delete(bad),
                 lambda: any_storage.put(bad, b"x", "image/jpeg")):
        with pytest.raises(ValueError):
            call()


def test_large_file_survives_intact(any_storage):
    key = new_key("pdf")
    data = bytes(range(256)) * (8 * 4096)  # 8 MB
    any_storage.put(key, data, "application/pdf")
    assert any_storage.get(key) == data


def test_file_system_put_leaves_no_partial_file(tmp_path, monkeypatch):
    from core.storage import FileStorage
    backend = FileStorage(tmp_path)
    key = new_key("jpg")

    def broken_replace(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr("core.storage.fs.os.replace", broken_replace)
    with pytest.raises(StorageUnavailable):
        backend.put(key, b"data", "image/jpeg")
    assert list(tmp_path.rglob("*.*")) == []


def test_unreachable_object_store_is_storage_unavailable():
    from tests.support.servers import free_port
    backend = S3Storage(f"http://127.0.0.1:{free_port()}", "nowhere", "a", "b", timeout=1)
    key = new_key("jpg")
    for call in (lambda: backend.put(key, b"x", "image/jpeg"), lambda: backend.get(key),
                 lambda: list(backend.keys())):
        with pytest.raises(StorageUnavailable):
            call()
