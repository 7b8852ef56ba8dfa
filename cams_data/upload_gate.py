"""Only a session whose person may upload keeps uploaded files in the server's memory.

Streamlit takes files at `/_stcore/upload_file/<session>/<file>` from any live session, signed in
or not, whether or not its page shows an uploader, and keeps each one until the session ends. The
gate sits in front of the server's store of uploaded files (installed once per process, by the
first script run): a file sent by a session the app has not seen to be an officer's, or local
mode's, is dropped as it arrives. `admit` is called in every script run with that run's person.
What it cannot stop (the request's body is read before the store is asked) is for the reverse
proxy: README, "Running on a server".
"""

from __future__ import annotations

import threading

from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFileManager, UploadedFileRec

from cams_data import roles

_lock = threading.Lock()
_uploaders: set[str] = set()  # ids of the sessions whose last run was an officer's or admin's


def install(store: UploadedFileManager) -> None:
    """Keep files in `store` only for the sessions `admit` let in; forget a session as it ends."""
    with _lock:
        if getattr(store, "_cams_gated", False):
            return
        store._cams_gated = True  # type: ignore[attr-defined]
    add_file, remove_session_files = store.add_file, store.remove_session_files

    def gated_add_file(session_id: str, file: UploadedFileRec) -> None:
        with _lock:
            admitted = session_id in _uploaders
        if admitted:
            add_file(session_id, file)

    def forgetting_remove_session_files(session_id: str) -> None:
        with _lock:
            _uploaders.discard(session_id)
        remove_session_files(session_id)

    store.add_file = gated_add_file  # type: ignore[method-assign]
    store.remove_session_files = forgetting_remove_session_files  # type: ignore[method-assign]


def admit(session_id: str, person: roles.Access, store: UploadedFileManager) -> None:
    """Let this session's uploads in if its person may upload; else drop any it holds."""
    install(store)
    with _lock:
        if person.may(roles.OFFICER):
            _uploaders.add(session_id)
            return
        was_admitted = session_id in _uploaders
        _uploaders.discard(session_id)
    if was_admitted:  # signed out, or the role list changed: what the officer sent goes too
        store.remove_session_files(session_id)


def admit_this_session(person: roles.Access) -> None:
    """`admit` for the session of the script run in progress, on its store of uploaded files (the
    server's; AppTest's own in tests)."""
    context = get_script_run_ctx()
    if context is not None:
        admit(context.session_id, person, context.uploaded_file_mgr)
