"""The command line as a user runs it: a real process, real files, exit codes and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from cli_runner import run_cli as run

from empathy_training.lan import lan_address
from empathy_training.storage import Store

from browser import free_port

DATA = Path(__file__).parent / "data"
STATEMENT = "I keep forgetting my tablets and my daughter is cross with me."


def test_validate_the_bundled_library() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stderr
    assert "6 module(s), 42 vignettes" in result.stdout


def test_validate_reports_every_problem_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    text = (DATA / "scenarios" / "good.yml").read_text(encoding="utf-8")
    bad.write_text(text.replace("level: 3", "level: 7").replace("[advising]", "[advice]"), "utf-8")
    result = run("validate", str(bad), str(tmp_path / "missing.yml"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any(f"{bad}:" in line and "level: 7 is out of range" in line for line in lines)
    assert any("unknown value 'advice'" in line for line in lines)
    assert any("missing.yml:1: (file): no such file" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_list_shows_modules_and_vignettes() -> None:
    result = run("list")
    assert result.returncode == 0
    assert "risk-and-disclosure: Risk and disclosure (7 vignettes)" in result.stdout
    assert "rlb-three-inhalers" in result.stdout and "community pharmacy" in result.stdout


def test_score_prints_level_roadblocks_and_feedback() -> None:
    result = run("score", STATEMENT, "Have you tried using a pill box?")
    assert result.returncode == 0, result.stderr
    assert "Reflective-listening level: 1 of 5" in result.stdout
    assert "advising: 'Have you tried'" in result.stdout


def test_score_json_round_trips() -> None:
    from empathy_training.models import Assessment

    result = run("score", STATEMENT, "You're worried your daughter is losing patience.", "--json")
    data = json.loads(result.stdout)
    assessment = Assessment.from_dict(data)
    assert assessment.to_dict() == data
    assert assessment.hrq_level >= 3


def test_score_against_a_vignette_flags_a_missed_risk() -> None:
    result = run("score", "--vignette", "risk-better-off-without-me", "You sound tired of it all.")
    assert result.returncode == 0, result.stderr
    assert "Accuracy against vignette risk-better-off-without-me" in result.stdout
    assert result.stdout.startswith("!! MISSED RISK (suicide)")
    assert "Reflective-listening level: 2 of 5" in result.stdout


def test_score_empty_response_is_a_clear_error() -> None:
    result = run("score", STATEMENT, "   ")
    assert result.returncode == 1
    assert "Error:" in result.stderr and "Traceback" not in result.stderr


def test_grade_csv_to_xlsx_keeps_columns_and_marks_bad_rows(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    pd.DataFrame(
        {
            "student": ["a", "b", "c"],
            "client_statement": [STATEMENT] * 3,
            "response": ["You should buy a pill box.", "", "You feel stuck between them. 😟"],
        }
    ).to_csv(source, index=False)
    out = tmp_path / "out.xlsx"
    result = run("grade", str(source), "-o", str(out))
    assert result.returncode == 1  # one row failed
    assert "1 row(s) could not be graded" in result.stderr
    graded = pd.read_excel(out)
    assert list(graded["student"]) == ["a", "b", "c"]
    for column in ("hrq_level", "roadblocks", "epitome_ex", "confidence", "feedback", "error"):
        assert column in graded.columns
    assert "advising" in graded.loc[0, "roadblocks"].split(";")
    assert isinstance(graded.loc[1, "error"], str) and graded.loc[1, "error"]
    assert graded.loc[2, "hrq_level"] >= 3


def test_grade_csv_writes_whole_numbers_as_whole_numbers(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        f"trainee,client_statement,response\na,{STATEMENT},You feel stuck.\nb,{STATEMENT},\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    assert run("grade", str(source), "-o", str(out)).returncode == 1  # one empty response
    cells = pd.read_csv(out, dtype=str, keep_default_na=False)
    for column in ("hrq_level", "validation_level", "epitome_er", "epitome_ip", "epitome_ex"):
        assert cells.loc[0, column].isdigit() and cells.loc[1, column] == "", column
    assert "." in cells.loc[0, "confidence"]


def test_grade_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("answer\nYou feel sad.\n", encoding="utf-8")
    result = run("grade", str(source), "-o", str(tmp_path / "out.csv"))
    assert result.returncode == 1
    assert "response" in result.stderr and "Traceback" not in result.stderr


def test_report_feedback_agreement_and_prepost(tmp_path: Path) -> None:
    graded = tmp_path / "graded.csv"
    assert run("grade", str(DATA / "grading-ui" / "pre.csv"), "-o", str(graded)).returncode == 0
    table = pd.read_csv(graded)
    table["Dr Lee (level)"] = table["hrq_level"].clip(upper=4)
    table.to_csv(graded, index=False)

    result = run("report", "feedback", str(graded), "-o", str(tmp_path / "reports.zip"))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "reports.zip") as archive:
        names = archive.namelist()
        assert len(names) == table["name"].nunique()
        page = archive.read(names[0]).decode("utf-8")
        assert "<script" not in page and "Level" in page

    result = run("report", "agreement", str(graded))
    assert result.returncode == 0, result.stderr
    assert "Dr Lee vs automatic" in result.stdout or "automatic vs Dr Lee" in result.stdout
    # Four responses rated by both: no kappa, no interval, but a reason.
    assert "n=4" in result.stdout and "kappa too few to tell" in result.stdout
    assert "kappa=" not in result.stdout

    chart = tmp_path / "change.png"
    result = run(
        "report",
        "prepost",
        str(DATA / "grading-ui" / "pre.csv"),
        str(DATA / "grading-ui" / "post.csv"),
        "--chart",
        str(chart),
    )
    assert result.returncode == 0, result.stderr
    assert "trainees on both occasions" in result.stdout
    assert chart.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.browser
def test_serve_for_a_room_prints_urls_and_join_code(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'room.db'}"
    port = free_port()
    out = tmp_path / "serve.txt"
    printed = out.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "empathy_training",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
            "--db",
            db,
            "--no-browser",
            "--passcode",
            "secret-code",
            "--workshop",
            "Ward 4",
            "--module",
            "validation",
        ],
        stdout=printed,  # a file, not a pipe: nothing can block on a full pipe
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            lines = [line.strip() for line in out.read_text().splitlines()]
            if any(line.startswith("Press Ctrl+C") for line in lines):
                break
            time.sleep(0.5)
    finally:
        os.killpg(process.pid, 2)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
            raise AssertionError(f"Ctrl+C did not stop the server: {out.read_text()!r}") from None
        finally:
            printed.close()
    output = "\n".join(lines)
    (workshop,) = Store(db).workshops()
    assert f"Join code for 'Ward 4': {workshop.join_code}" in output
    assert "Workshop 'Ward 4' created with 7 vignettes" in output
    assert all(v.startswith("val-") for v in workshop.vignette_ids)
    # the address phones in the room reach: this machine's LAN address, not a loopback one
    lan = lan_address().address
    if lan is None:
        assert "phones in the room cannot reach it" in output
    else:
        assert f"http://{lan}:{port}/practice\n" in output
        assert f"http://{lan}:{port}/dashboard\n" in output
        assert "http://127." not in output
    assert "secret-code" not in output and "secret-code" not in (
        Store(db).get_setting("supervisor_passcode") or ""
    )


def test_serve_names_an_unknown_vignette_and_starts_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'room.db'}"
    result = run(
        "serve", "--no-browser", "--db", db, "--workshop", "Ward 4",
        "--vignettes", "rlb-three-inhalers,rlb-three-inhaler",
    )  # fmt: skip
    assert result.returncode != 0
    assert "Unknown vignette id 'rlb-three-inhaler'" in result.stderr
    assert "Did you mean 'rlb-three-inhalers'?" in result.stderr
    assert Store(db).workshops() == []


def test_serve_wants_a_workshop_for_its_vignettes(tmp_path: Path) -> None:
    result = run("serve", "--no-browser", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--module", "x")
    assert result.returncode == 2 and "add --workshop NAME" in result.stderr


def test_serve_refuses_a_public_url_without_a_host(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = run("serve", "--no-browser", "--db", db, "--public-url", "ward4.example.org")
    assert result.returncode != 0 and "--public-url must be an http://" in result.stderr


def test_serve_help_says_what_a_workshop_runs_by_default() -> None:
    result = run("serve", "--help")
    text = " ".join(result.stdout.split())
    assert "first module's vignettes" in text and "--public-url" in text
    assert "reopened (same join code, answers kept)" in text
