"""What a trainee has typed and not yet submitted: one draft per vignette, kept twice.

In the kernel, switching vignettes puts each vignette's draft back in the response box. In
the browser, the page template saves the box as it is typed under a key this module puts on
the box as a CSS class (`et-draft-KEY`), and puts it back after a reload or a restarted
server. The key changes after each submission, so a submitted answer is not offered again.
"""

from __future__ import annotations

import hashlib

import ipywidgets as widgets

#: The class that marks a text box whose drafts the browser keeps.
DRAFT_CLASS = "et-draft"


class Drafts:
    """Per-vignette drafts for one response box."""

    def __init__(self, box: widgets.Textarea) -> None:
        self.box = box
        self._texts: dict[str, str] = {}
        box.add_class(DRAFT_CLASS)

    def switch(self, leaving: str | None, arriving: str) -> None:
        """Keep the box's text as `leaving`'s draft and show `arriving`'s draft (or nothing)."""
        if leaving is not None:
            if self.box.value.strip():
                self._texts[leaving] = self.box.value
            else:
                self._texts.pop(leaving, None)
        self.box.value = self._texts.pop(arriving, "")

    def submitted(self, vignette_id: str) -> None:
        """The text in the box was submitted for this vignette: it is no longer a draft."""
        self._texts.pop(vignette_id, None)

    def label(self, trainee_id: int, vignette_id: str, submissions: int) -> None:
        """Mark the box with the browser key for this trainee, vignette and submission count."""
        key = browser_key(trainee_id, vignette_id, submissions)
        for name in self.box._dom_classes:
            if name.startswith(f"{DRAFT_CLASS}-") and name != f"{DRAFT_CLASS}-{key}":
                self.box.remove_class(name)
        self.box.add_class(f"{DRAFT_CLASS}-{key}")


def browser_key(trainee_id: int, vignette_id: str, submissions: int) -> str:
    """A key naming one draft in the browser, without the trainee's name or the vignette."""
    text = f"{trainee_id}\0{vignette_id}\0{submissions}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]
