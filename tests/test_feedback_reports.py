"""Feedback reports: contents, escaping, the zip, writing files, and the comment bank."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from empathy_training.feedback_reports import (
    RaterNote,
    ReportItem,
    all_reports,
    load_comment_bank,
    raters_in,
    report_items,
    reports_zip,
    safe_file_name,
    trainee_report_html,
    with_rater_columns,
    write_reports,
)
from empathy_training.models import (
    ROADBLOCK_IDS,
    Assessment,
    CriterionResult,
    Epitome,
    RoadblockFinding,
    Span,
)

XSS = "<script>alert(1)</script>"


def assessment(response: str) -> Assessment:
    """A hand-built assessment with evidence, a missed criterion and a roadblock."""
    feel = response.index("frustrated")
    should = response.index("should")
    return Assessment(
        response=response,
        hrq_level=2,
        behaviour="reflection",
        question_type=None,
        reflection_depth="simple",
        roadblocks=(
            RoadblockFinding(
                "moralizing",
                Span(should, should + 6, "should"),
                alternative="Say back what they feel before any suggestion.",
            ),
        ),
        validation_level=2,
        epitome=Epitome(1, 1, 0),
        criteria=(
            CriterionResult(
                id="names-feeling",
                name="Names a feeling",
                met=True,
                evidence=(Span(feel, feel + 10, "frustrated"),),
                feedback="You named the feeling.",
            ),
            CriterionResult(
                id="no-roadblock",
                name="No roadblocks",
                met=False,
                feedback="Drop the 'should': it sounds like a lecture.",
            ),
        ),
        feedback="A reflection undone by a roadblock.",
        confidence=0.8,
        scorer_version="test-1",
    )


RESPONSE = f"You sound frustrated {XSS}, but you should rest."


def test_report_shows_response_levels_evidence_comments_and_next_steps() -> None:
    item = ReportItem(
        response=RESPONSE,
        assessment=assessment(RESPONSE),
        client_statement=f"I can't sleep {XSS}",
        vignette_title="Night shift",
        ratings=(RaterNote("Dr <b>Lee</b>", 3, ("moralizing",), f"Nice start {XSS}"),),
    )
    page = trainee_report_html(f"Sam {XSS}", [item])
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<b>Lee" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Sam &lt;script&gt;" in page
    assert "Night shift" in page and "I can&#x27;t sleep" in page
    assert "<mark>frustrated</mark>" in page  # the evidence, highlighted
    assert "<mark class='et-rb'>should</mark>" in page  # the roadblock, in red
    assert "Level 2 of 5" in page and "Level 3 of 5" in page
    assert "Nice start &lt;script&gt;" in page and "Dr &lt;b&gt;Lee&lt;/b&gt;, rater" in page
    assert "Next steps" in page
    assert "Drop the &#x27;should&#x27;" in page  # the missed criterion's feedback
    assert "Say back what they feel before any suggestion." in page
    assert "@media print" in page
    # self-contained: nothing is fetched from anywhere
    for needle in ("http://", "https://", "<link", "src=", "@import"):
        assert needle not in page


def test_report_for_unscored_and_flat_rows() -> None:
    page = trainee_report_html(
        "Row 3",
        [
            ReportItem(response="", error="The response is empty."),
            ReportItem(response="ok", level=1, roadblocks=("advising",), feedback="Hold advice."),
        ],
    )
    assert "could not be scored: The response is empty." in page
    assert "Level 1 of 5" in page and "advising" in page and "Hold advice." in page
    assert "evidence is not available" in page


def test_zip_has_one_safe_unique_file_per_trainee() -> None:
    data = reports_zip(
        {
            "Zoë O'Neil": "<p>a</p>",
            "../../etc/passwd": "<p>b</p>",
            "zoe-o-neil": "<p>c</p>",
            "张伟": "<p>d</p>",
        }
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == ["Zoe-O-Neil.html", "etc-passwd.html", "zoe-o-neil-2.html", "trainee.html"]
        assert archive.read("etc-passwd.html") == b"<p>b</p>"
        assert archive.testzip() is None
    assert safe_file_name("  ") == "trainee"
    assert len(safe_file_name("x" * 500)) <= 80


def graded_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Student": ["Sam", "Kim", "Sam", None],
            "response": [RESPONSE, "Fine.", "Second answer", "Orphan"],
            "client_statement": ["c1", "c2", "c3", "c4"],
            "hrq_level": [2, 1, 3, 2],
            "roadblocks": ["moralizing", "advising", "", ""],
            "feedback": ["f1", "f2", "f3", "f4"],
            "assessment": [json.dumps(assessment(RESPONSE).to_dict()), None, None, None],
            "error": ["", "", "", ""],
        }
    )


def test_rater_columns_round_trip_into_report_items() -> None:
    notes = [
        {"Ana": RaterNote("Ana", 3, ("moralizing",), "Good")},
        {},
        {"Ana": RaterNote("Ana", None, (), "Try again"), "Ben": RaterNote("Ben", 4)},
        {},
    ]
    table = with_rater_columns(graded_table(), notes)
    assert raters_in(table) == ["Ana", "Ben"]
    assert list(table["Ana (level)"].astype("object").fillna(0)) == [3, 0, 0, 0]
    assert list(table["Ana (roadblocks)"]) == ["moralizing", "", "", ""]
    items = report_items(table)
    assert list(items) == ["Sam", "Kim", "row 4"]
    first, second = items["Sam"]
    assert first.assessment is not None and first.assessment.hrq_level == 2
    assert first.ratings == (RaterNote("Ana", 3, ("moralizing",), "Good"),)
    assert second.assessment is None and second.level == 3
    assert [n.rater for n in second.ratings] == ["Ana", "Ben"]
    assert items["Kim"][0].ratings == ()


def test_write_reports_groups_by_trainee(tmp_path: Path) -> None:
    paths = write_reports(graded_table(), tmp_path / "out")
    assert [p.name for p in paths] == ["Sam.html", "Kim.html", "row-4.html"]
    sam = paths[0].read_text(encoding="utf-8")
    assert sam.count("<section class='item'>") == 2 and "<mark>frustrated</mark>" in sam
    assert set(all_reports(graded_table())) == {"Sam", "Kim", "row 4"}


def test_write_reports_can_rescore_to_recover_evidence(tmp_path: Path) -> None:
    table = graded_table().drop(columns=["assessment"]).iloc[[0]]
    seen: list[str] = []

    def score(response: str, **_: object) -> Assessment:
        seen.append(response)
        return assessment(response)

    (path,) = write_reports(table, tmp_path, score=score)
    assert seen == [RESPONSE]
    assert "<mark>frustrated</mark>" in path.read_text(encoding="utf-8")


def test_comment_bank_covers_every_level_and_roadblock() -> None:
    bank = load_comment_bank()
    for level in range(1, 6):
        assert len(bank.for_level(level)) >= 2
    assert bank.for_level(None) == ()
    assert set(bank.by_roadblock) == set(ROADBLOCK_IDS)
    with pytest.raises(ValueError, match="level 7"):
        load_comment_bank("levels: {7: [x]}")
    with pytest.raises(ValueError, match="levels"):
        load_comment_bank("- just a list")


def test_reports_module_does_not_import_widgets() -> None:
    code = (
        "import sys, empathy_training.feedback_reports, empathy_training.agreement, "
        "empathy_training.prepost; print('ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_next_steps_are_few_and_not_repeated() -> None:
    base = assessment(RESPONSE)
    should = base.roadblocks[0]
    repeated = RoadblockFinding("moralizing", Span(0, 3, "You"), alternative=should.alternative)
    within = CriterionResult(
        id="says-back", name="Says back", met=False, feedback=f"Try this. {should.alternative}"
    )
    item = ReportItem(
        response=RESPONSE,
        assessment=replace(base, roadblocks=(should, repeated), criteria=(*base.criteria, within)),
    )
    steps = item.next_steps
    assert steps == ("Drop the 'should': it sounds like a lecture.", within.feedback)
    assert len(ReportItem(response="x", feedback="Hold advice.").next_steps) == 1
    many = tuple(
        CriterionResult(id=f"c{i}", name=f"C{i}", met=False, feedback=f"Step {i}.")
        for i in range(6)
    )
    assert len(ReportItem(response="x", assessment=replace(base, criteria=many)).next_steps) == 3
