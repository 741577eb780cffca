"""Loading responses to grade: upload a file and score it, or open a stored upload or workshop."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as widgets

from ...batches import (
    BATCH_SETTING,
    NO_VIGNETTE,
    Batch,
    attempt_keys,
    batch_setting,
    batch_trainees,
    load_batch,
    upload_rows,
    upload_workshop_name,
)
from ...errors import InputError
from ...grading import grade_with_assessments
from ...scoring import RUBRIC_NAMES
from ...storage import NewAttempt, WorkshopRecord
from ...uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_ROWS, UploadedFile, read_upload
from ..callbacks import guarded
from ..cards import message
from .html import plural
from .state import GradingState

#: Uploaded rows stored per transaction (the progress bar moves once per chunk).
STORE_CHUNK = 500
#: The upload button's label (ipywidgets adds the number of files it holds: "(1)").
UPLOAD_LABEL = "Upload CSV or XLSX"


class Loader:
    """The upload button, the rubric, Score all with its progress, and Or open.

    `on_open` receives each batch that is ready to grade; `on_stored` is called when an upload
    was stored (the list of stored uploads changed).
    """

    def __init__(
        self,
        state: GradingState,
        *,
        on_open: Callable[[Batch], None],
        on_stored: Callable[[], None],
    ) -> None:
        self.state = state
        self.on_open = on_open
        self.on_stored = on_stored
        self._pending: UploadedFile | None = None
        self._holding = False  # the app itself is setting the upload button's value
        self.upload = widgets.FileUpload(
            accept=".csv,.xlsx,.xlsm", multiple=False, description=UPLOAD_LABEL
        )
        self.upload.layout.width = "auto"
        self.rubric_picker = widgets.Dropdown(
            description="Rubric", options=list(RUBRIC_NAMES), value="reflection"
        )
        self.score_button = widgets.Button(
            description="Score all", button_style="primary", disabled=True
        )
        self.progress = widgets.IntProgress(
            value=0,
            min=0,
            max=1,
            layout=widgets.Layout(width="auto", flex="1 1 16rem", max_width="30rem"),
        )
        self.progress_label = widgets.HTML()
        self.workshop_picker = widgets.Dropdown(
            description="Or open",
            options=[],
            value=None,
            layout=widgets.Layout(width="auto", flex="1 1 18rem", max_width="34rem"),
        )
        self.open_button = widgets.Button(description="Open")
        self.load_message = widgets.HTML()
        wrap = widgets.Layout(flex_flow="row wrap", align_items="center")
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Responses to grade</h3><p class='et-small'>A file needs a "
                    "<code>response</code> column and either <code>client_statement</code> or "
                    "<code>vignette_id</code>; a <code>trainee</code>, <code>name</code> or "
                    "<code>student</code> column names who wrote it. Other columns are kept. "
                    f"Up to {MAX_UPLOAD_ROWS:,} responses and {MAX_UPLOAD_BYTES // 10**6} MB "
                    "per file; uploading a file of the same name again replaces it.</p>"
                ),
                widgets.HBox([self.upload, self.rubric_picker, self.score_button], layout=wrap),
                widgets.HBox([self.progress, self.progress_label], layout=wrap),
                widgets.HBox([self.workshop_picker, self.open_button], layout=wrap),
                self.load_message,
            ]
        )
        self.refresh_workshops()
        self.upload.observe(self._on_upload, names="value")
        self.score_button.on_click(self._on_score)
        self.open_button.on_click(self._on_open)

    # -- callbacks --------------------------------------------------------------------------

    def _on_upload(self, change: dict[str, Any]) -> None:
        if self._holding or not change["new"]:
            return

        @guarded(lambda: self.load_message)
        def run() -> None:
            item = change["new"][0]
            uploaded = None
            try:
                uploaded = self.read_upload(str(item["name"]), bytes(item["content"]))
            finally:
                self._hold(item if uploaded is not None else None)

        run()

    def _on_score(self, _: Any = None) -> None:
        @guarded(lambda: self.load_message)
        def run() -> None:
            self.score_pending()

        run()

    def _on_open(self, _: Any = None) -> None:
        @guarded(lambda: self.load_message)
        def run() -> None:
            if self.workshop_picker.value is None:
                self.load_message.value = message("Choose a workshop or upload first.", "hint")
                return
            self.open_workshop(int(self.workshop_picker.value))

        run()

    # -- loading ----------------------------------------------------------------------------

    def read_upload(self, name: str, content: bytes) -> UploadedFile | None:
        """Read an uploaded file's responses, ready for `score_pending`; None if refused."""
        self._pending = None
        self.score_button.disabled = True
        self._reset_progress()
        try:
            uploaded = read_upload(name, content)
        except InputError as exc:
            self.load_message.value = message(str(exc), "error")
            return None
        self._pending = uploaded
        self.score_button.disabled = False
        count = len(uploaded.table)
        replaces = (
            f" Scoring it replaces the earlier upload of {name}; rows that did not change keep "
            "their ratings."
            if self._earlier_upload(name) is not None
            else ""
        )
        self.load_message.value = message(
            f"Read {plural(count, 'response')} from {name}. Press Score all to score them."
            + replaces,
            "ok",
        ) + "".join(message(note, "hint") for note in uploaded.notes)
        return uploaded

    def score_pending(self) -> Batch | None:
        """Score the uploaded responses, store them for rating, and open them."""
        if self._pending is None:
            self.load_message.value = message("Upload a CSV or Excel file first.", "hint")
            return None
        uploaded = self._pending
        self.score_button.disabled = True
        advance = self._progress(len(uploaded.table), "Scoring")
        graded, assessments = grade_with_assessments(
            uploaded.table,
            library=self.state.library,
            rubric=str(self.rubric_picker.value),
            progress=advance,
        )
        batch = Batch(
            name=uploaded.name,
            graded=graded,
            assessments=tuple(assessments),
            attempt_ids=(None,) * len(graded),
            trainees=tuple(batch_trainees(graded)),
        )
        self._finish_progress(f"Scored {len(graded):,}.")
        replaced = self._earlier_upload(uploaded.name) is not None
        batch = self.store_upload(batch)
        self._pending = None
        self._opened(batch)
        failed = sum(1 for a in batch.assessments if a is None)
        self.load_message.value = message(
            f"Scored {len(graded) - failed:,} of {plural(len(graded), 'response')} from "
            f"{uploaded.name}; stored for rating as '{upload_workshop_name(uploaded.name)}'."
            + (
                " It replaces the earlier upload of that name: rows that did not change keep "
                "their ratings."
                if replaced
                else ""
            )
            + (
                f" {plural(failed, 'row')} could not be scored (see Rows: with an error)."
                if failed
                else ""
            ),
            "hint" if failed else "ok",
        )
        return batch

    def store_upload(self, batch: Batch) -> Batch:
        """Store an upload as the attempts of a closed workshop named after the file, replacing
        an earlier upload of the same name; the batch with its workshop and attempt ids.

        A row that is in the earlier upload too keeps its attempt, and so its ratings (see
        `batches.attempt_keys`). The earlier version of a changed row stays in the store with
        any ratings it had, but no longer shows in the upload.
        """
        store = self.state.store
        workshop = self._earlier_upload(batch.name)
        if workshop is None:
            vignette_ids = sorted(
                {a.vignette_id for a in batch.assessments if a is not None and a.vignette_id}
            ) or [NO_VIGNETTE]
            workshop = store.create_workshop(upload_workshop_name(batch.name), vignette_ids)
            store.close_workshop(workshop.id)  # nobody joins an upload with its join code
        keys = attempt_keys(batch, workshop.id)
        trainee_ids = {n: store.trainee(n, workshop.id).id for n in dict.fromkeys(batch.trainees)}
        rows = upload_rows(batch, keys, self.state.library)
        advance = self._progress(len(batch.graded), "Storing for rating")
        ids: list[int | None] = [None] * len(batch.graded)
        for start in range(0, len(rows), STORE_CHUNK):
            chunk = rows[start : start + STORE_CHUNK]
            stored = store.record_attempts(
                [
                    NewAttempt(
                        trainee_ids[row.trainee],
                        vignette_id=row.vignette_id,
                        module_id=row.module_id,
                        response=row.assessment.response,
                        assessment=row.assessment,
                        workshop_id=workshop.id,
                        client_attempt_id=row.key,
                    )
                    for row in chunk
                ]
            )
            for row, record in zip(chunk, stored, strict=True):
                ids[row.position] = record.id
            advance(len(chunk))
        # The rows are kept last, so an upload that fails to store leaves the earlier one whole.
        store.set_setting(BATCH_SETTING.format(workshop_id=workshop.id), batch_setting(batch, keys))
        self._finish_progress(f"Stored {plural(len(batch.graded), 'row')} for rating.")
        self.refresh_workshops()
        self.on_stored()
        return Batch(
            name=batch.name,
            graded=batch.graded,
            assessments=batch.assessments,
            attempt_ids=tuple(ids),
            trainees=batch.trainees,
            workshop_id=workshop.id,
        )

    def open_workshop(self, workshop_id: int) -> Batch:
        """Open a workshop's attempts (or a stored upload's rows) for rating."""
        workshop = self.state.store.workshop(workshop_id)
        if workshop is None:
            raise InputError(f"There is no workshop with id {workshop_id}.")
        batch = load_batch(self.state.store, workshop.id, workshop.name, self.state.library)
        self._opened(batch)
        count = len(batch.graded)
        self.load_message.value = message(
            f"Opened {workshop.name}: {plural(count, 'response')}.", "ok" if count else "hint"
        )
        return batch

    def refresh_workshops(self) -> None:
        """List the stored uploads and workshops under Or open, keeping the one chosen."""
        options = self.state.occasions()
        current = self.workshop_picker.value
        self.workshop_picker.options = options
        self.workshop_picker.value = current if current in [v for _, v in options] else None

    # -- internals --------------------------------------------------------------------------

    def _opened(self, batch: Batch) -> None:
        if batch.workshop_id in [value for _, value in self.workshop_picker.options]:
            self.workshop_picker.value = batch.workshop_id  # says what is open
        self.on_open(batch)

    def _earlier_upload(self, file_name: str) -> WorkshopRecord | None:
        """The newest stored upload of a file of this name, if there is one."""
        name = upload_workshop_name(file_name)
        store = self.state.store
        for workshop in reversed(store.workshops()):
            key = BATCH_SETTING.format(workshop_id=workshop.id)
            if workshop.name == name and store.get_setting(key) is not None:
                return workshop
        return None

    def _hold(self, item: Any) -> None:
        """Keep what the upload button shows true: the file read, "(1)", without its bytes
        (they are not kept in the page); nothing, "(0)", after a file was refused."""
        held: tuple[dict[str, Any], ...] = ()
        if item is not None:
            held = (
                {
                    "name": str(item["name"]),
                    "type": str(item.get("type", "")),
                    "size": int(item.get("size", 0)),
                    "content": memoryview(b""),
                    "last_modified": item["last_modified"],
                },
            )
        self._holding = True
        try:
            self.upload.value = held
        finally:
            self._holding = False

    def _reset_progress(self) -> None:
        self.progress.value = 0
        self.progress.bar_style = ""
        self.progress_label.value = ""

    def _progress(self, total: int, what: str) -> Callable[..., None]:
        self.progress.max = max(1, total)
        self.progress.value = 0
        self.progress.bar_style = ""
        self.progress_label.value = f"<span class='et-small'>{escape(what)} 0 of {total:,}</span>"
        done = [0]
        step = max(1, total // 100)

        def advance(n: int = 1) -> None:
            before = done[0]
            done[0] += int(n)
            if done[0] // step != before // step or done[0] >= total:
                self.progress.value = min(done[0], total)
                self.progress_label.value = (
                    f"<span class='et-small'>{escape(what)} {min(done[0], total):,} of "
                    f"{total:,}</span>"
                )

        return advance

    def _finish_progress(self, text: str) -> None:
        self.progress.value = self.progress.max
        self.progress.bar_style = "success"
        self.progress_label.value = f"<span class='et-small'>{escape(text)}</span>"
