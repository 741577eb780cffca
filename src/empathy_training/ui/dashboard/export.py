"""Export: every answer of the workshop as CSV or Excel, names pseudonymised by default."""

from __future__ import annotations

import base64
from datetime import date
from html import escape

import ipywidgets as widgets

from ...workshop_export import EXPORT_KINDS, export_bytes, export_file_name, export_table
from .state import Room


def download_link(name: str, kind: str, data: bytes, rows: int, pseudonymised: bool) -> str:
    """A link that saves `data` as `name`, with what it holds."""
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f"<a download='{escape(name)}' href='data:{EXPORT_KINDS[kind]};base64,{encoded}'>"
        f"Download {escape(name)}</a> <span class='et-small'>({rows} attempt"
        f"{'s' if rows != 1 else ''}{', names replaced' if pseudonymised else ''})</span>"
    )


class ExportPanel:
    """Buttons that turn the workshop's answers into a file to download."""

    def __init__(self) -> None:
        self.pseudonymise = widgets.Checkbox(
            value=True, description="Pseudonymise names (Trainee 01, 02, ...)", indent=False
        )
        self.csv_button = widgets.Button(description="Export CSV")
        self.xlsx_button = widgets.Button(
            description="Export Excel (XLSX)", layout=widgets.Layout(width="auto")
        )
        self.download = widgets.HTML()
        self.download.add_class("et-download")
        self.widget = widgets.VBox(
            [
                self.pseudonymise,
                widgets.HBox([self.csv_button, self.xlsx_button]),
                self.download,
            ]
        )
        self.pseudonymise.observe(lambda _: self.forget(), names="value")

    def forget(self) -> None:
        """Drop the link (made for another workshop, or with the other name setting)."""
        self.download.value = ""

    def export(self, room: Room, kind: str, *, day: date | None = None) -> bytes:
        """Every answer of the room as 'csv' or 'xlsx' bytes, offered as a download link."""
        pseudonymise = bool(self.pseudonymise.value)
        table = export_table(
            room.submissions,
            room.trainees,
            pseudonymise=pseudonymise,
            workshops=[room.workshop],
        )
        name = export_file_name(
            room.workshop.name, kind, pseudonymised=pseudonymise, day=day or date.today()
        )
        data = export_bytes(table, kind)
        self.download.value = download_link(name, kind, data, len(table), pseudonymise)
        return data
