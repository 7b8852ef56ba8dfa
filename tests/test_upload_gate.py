"""Only an officer's (or admin's, or local mode's) session keeps uploaded files in server memory."""

from __future__ import annotations

import pytest
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from cams_data import roles, upload_gate

VIEWER = roles.Access(roles.VIEWER, "viewer@example.org", "")
OFFICER = roles.Access(roles.OFFICER, "officer@example.org", "")
ADMIN = roles.Access(roles.ADMIN, "admin@example.org", "")
STRANGER = roles.Access(None, "stranger@example.org", "")


def sent(store: MemoryUploadedFileManager, session: str, file_id: str, size: int = 1000) -> None:
    store.add_file(session, UploadedFileRec(file_id, f"{file_id}.xlsx", "x", b"\0" * size))


def held(store: MemoryUploadedFileManager, session: str, ids=("a", "b", "c")) -> list[str]:
    return sorted(f.file_id for f in store.get_files(session, list(ids)))


@pytest.fixture
def store():
    return MemoryUploadedFileManager("/_stcore/upload_file")


def test_a_session_the_app_has_not_seen_keeps_nothing(store):
    upload_gate.install(store)
    for n in range(80):
        sent(store, "never-ran", f"file-{n}", size=19_000)
    assert held(store, "never-ran", [f"file-{n}" for n in range(80)]) == []
    assert store.get_stats() == {}  # no file and no byte held by the server


@pytest.mark.parametrize("person", [VIEWER, STRANGER], ids=["viewer", "not on any list"])
def test_a_viewer_or_stranger_keeps_nothing(store, person):
    upload_gate.admit("s1", person, store)
    sent(store, "s1", "a")
    sent(store, "s1", "b")
    assert held(store, "s1") == []


@pytest.mark.parametrize("person", [OFFICER, ADMIN], ids=["officer", "admin"])
def test_an_officer_or_admin_keeps_what_they_send(store, person):
    upload_gate.admit("s2", person, store)
    sent(store, "s2", "a")
    sent(store, "s2", "b")
    assert held(store, "s2") == ["a", "b"]
    assert [s.byte_length for s in store.get_stats()["cache_memory_bytes"]] == [2000]


def test_one_session_admitted_lets_no_other_in(store):
    upload_gate.admit("officer-session", OFFICER, store)
    upload_gate.admit("viewer-session", VIEWER, store)
    sent(store, "viewer-session", "a")
    sent(store, "officer-session", "b")
    assert held(store, "viewer-session") == []
    assert held(store, "officer-session") == ["b"]


def test_signing_out_drops_what_the_session_held_and_keeps_out_what_follows(store):
    upload_gate.admit("s3", OFFICER, store)
    sent(store, "s3", "a")
    upload_gate.admit("s3", VIEWER, store)  # the next run after signing out
    assert held(store, "s3") == []
    sent(store, "s3", "b")
    assert held(store, "s3") == []


def test_a_session_that_ended_is_forgotten(store):
    upload_gate.admit("s4", OFFICER, store)
    sent(store, "s4", "a")
    store.remove_session_files("s4")  # Streamlit, as the session closes
    sent(store, "s4", "b")  # a request that names the dead session's id
    assert held(store, "s4") == []


def test_installing_twice_gates_once(store):
    upload_gate.install(store)
    upload_gate.install(store)
    upload_gate.admit("s5", OFFICER, store)
    sent(store, "s5", "a")
    assert held(store, "s5") == ["a"]
