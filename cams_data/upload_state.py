"""The upload page's session state: every key it keeps, spelt here once.

Streamlit keeps a widget's value in `st.session_state` under the widget's key. The upload page
reads some before their widget is drawn (the sheet is chosen below the check that needs it) and
sets others itself (the kind a check detected, the columns chosen in the form, the upload to
offer for undo), so the page and its widgets (`upload_widgets`) take both the widget's `key=`
and the value from `UploadState`; neither touches `st.session_state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import streamlit as st


def _file_key(name: str) -> property:
    """The key of one file's widget or value: `name`, then the file's place among the files."""
    return property(lambda self: f"{name}-{self.number}", doc=f"`{name}-<number>`")


@dataclass(frozen=True)
class Confirmed:
    """A step taken on an upload after a confirmation dialog (undo, erase): the selectbox that
    picks the upload (`key`), the buttons that open and answer the dialog, the upload waiting
    for an answer while the dialog is open, and the message shown on the run after it was done."""

    key: str
    done_key: str

    @property
    def open_key(self) -> str:
        return f"{self.key}-open"

    @property
    def confirm_key(self) -> str:
        return f"{self.key}-confirm"

    @property
    def cancel_key(self) -> str:
        return f"{self.key}-cancel"

    @property
    def typed_key(self) -> str:
        """The text box where the upload's number is typed to confirm."""
        return f"{self.key}-typed"

    @property
    def _pending_key(self) -> str:
        return f"{self.key}-pending"

    @property
    def chosen(self) -> Any:
        return st.session_state.get(self.key)

    def choose(self, upload_id: int) -> None:
        """Pick `upload_id` in the selectbox (before it is drawn in this run)."""
        st.session_state[self.key] = upload_id

    def forget_choice(self) -> None:
        st.session_state.pop(self.key, None)

    @property
    def pending(self) -> Any:
        """The upload whose dialog is open, if any."""
        return st.session_state.get(self._pending_key)

    def ask(self, upload_id: int) -> None:
        st.session_state[self._pending_key] = upload_id

    def dismiss(self) -> None:
        st.session_state.pop(self._pending_key, None)

    def done(self, message: str) -> None:
        """Close the dialog, and say `message` on the next run (`take_message`)."""
        st.session_state[self.done_key] = message
        self.dismiss()

    def take_message(self) -> str | None:
        return st.session_state.pop(self.done_key, None)


@dataclass(frozen=True)
class UploadState:
    """One uploaded file's keys and values: its widgets' keys end in `number`, its place among
    the files. The class's own attributes are the page's: the uploader, the history, undo and
    erase under it, and the checks kept for the session."""

    number: int

    FILES: ClassVar[str] = "files"
    HISTORY: ClassVar[str] = "history"
    REMOVE_DEMO: ClassVar[str] = "remove-demo"
    UNDO: ClassVar[Confirmed] = Confirmed("undo", done_key="undone")
    ERASE: ClassVar[Confirmed] = Confirmed("erase", done_key="erased")
    _CHECKED: ClassVar[str] = "_checked"

    @staticmethod
    def template_key(kind: str) -> str:
        return f"template-{kind}"

    @classmethod
    def checks(cls) -> dict:
        """The checks made in this session, by what was checked (`upload_widgets.checked`)."""
        return st.session_state.setdefault(cls._CHECKED, {})

    kind_key = _file_key("kind")
    sheet_key = _file_key("sheet")
    skip_key = _file_key("skip")
    map_open_key = _file_key("map-open")
    mapping_form_key = _file_key("mapping-form")
    columns_key = _file_key("columns")
    preview_key = _file_key("preview")
    problems_key = _file_key("problems")
    problems_csv_key = _file_key("problems-csv")
    save_key = _file_key("save")
    changes_key = _file_key("changes")
    _detected_key = _file_key("detected")
    _mapping_key = _file_key("mapping")

    def option_key(self, option: str) -> str:
        """The field for an upload option (`kinds.UPLOAD_OPTIONS`), named `option`."""
        return f"{option}-{self.number}"

    def map_key(self, index: int) -> str:
        """The mapping form's choice for the file's column at `index`."""
        return f"map-{self.number}-{index}"

    @property
    def sheet(self) -> str | None:
        """The sheet chosen (None: the sheet that holds the data)."""
        return st.session_state.get(self.sheet_key)

    @property
    def skip_invalid(self) -> bool:
        return st.session_state.get(self.skip_key, False)

    @property
    def detected(self) -> str | None:
        """The kind the last check detected, when none was chosen."""
        return st.session_state.get(self._detected_key)

    def detect(self, kind: str) -> None:
        st.session_state[self._detected_key] = kind

    @property
    def mapping(self) -> dict[str, str] | None:
        """The columns chosen in the mapping form, for the next check."""
        return st.session_state.get(self._mapping_key)

    def choose_mapping(self, mapping: dict[str, str]) -> None:
        st.session_state[self._mapping_key] = mapping
