"""The `empathy-training` command line: a thin layer over the package's functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .errors import EmpathyTrainingError, ScenarioError, ScenarioErrors
from .glossary import load_glossary
from .loading import bundled_scenarios_dir, check_library, load_library, scenario_files
from .models import RUBRIC_NAMES, Library
from .provenance import load_rubric_provenance
from .risk_rule import load_risk_rule


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="empathy-training")
def main() -> None:
    """Practise and grade empathic responses to client vignettes."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Count warnings as problems (exit 1 on any).")
def validate(paths: tuple[Path, ...], strict: bool) -> None:
    """Check scenario files (the bundled library by default); exit 1 on any problem.

    With no PATH, the bundled rubric data are checked too: sources, each criterion's source,
    rule and thresholds, the risk-handling rule and the glossary. Warnings (e.g. a suicide risk
    cue with no means in the answer key) are printed but do not change the exit code unless
    --strict is given.
    """
    targets = list(paths) or [bundled_scenarios_dir()]
    missing = [p for p in targets if not p.exists()]
    for path in missing:
        click.echo(f"{path}:1: (file): no such file or directory", err=True)
    files = scenario_files([p for p in targets if p.exists()])
    if not files and not missing:
        click.echo("no scenario files (*.yml, *.yaml) found", err=True)
        sys.exit(1)
    check = check_library(files)
    problems, warnings = list(check.problems), list(check.warnings)
    if not paths:
        rubric_problems, rubric_warnings = _bundled_rubric_checks()
        problems += rubric_problems
        warnings += rubric_warnings
    for problem in problems:
        click.echo(str(problem), err=True)
    for warning in warnings:
        click.echo(
            f"{warning.file}:{warning.line}: {warning.field}: warning: {warning.message}", err=True
        )
    count = len(problems) + len(missing) + (len(warnings) if strict else 0)
    if count:
        click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)
        sys.exit(1)
    modules = check.modules
    vignettes = sum(len(m.vignettes) for m in modules)
    exemplars = sum(len(v.exemplars) for m in modules for v in m.vignettes)
    noted = f", {len(warnings)} warning(s)" if warnings else ""
    click.echo(
        f"OK: {len(files)} file(s), {len(modules)} module(s), {vignettes} vignettes, "
        f"{exemplars} exemplars{noted}."
    )


def _bundled_rubric_checks() -> tuple[list[ScenarioError], list[ScenarioError]]:
    """Problems in the bundled rubric data, and provenance gaps as warnings."""
    problems: list[ScenarioError] = []
    warnings: list[ScenarioError] = []
    for name in RUBRIC_NAMES:
        try:
            gaps = load_rubric_provenance(name).gaps()
        except ScenarioErrors as exc:
            problems += exc.problems
            continue
        where = f"rubrics/{name}.yml"
        warnings += [ScenarioError(where, 1, g.split(": ", 1)[1], "missing") for g in gaps]
    for load in (load_risk_rule, load_glossary):
        try:
            load()
        except ScenarioErrors as exc:
            problems += exc.problems
    return problems, warnings


@main.command(name="list")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def list_(paths: tuple[Path, ...]) -> None:
    """Show modules and their vignettes: id, title, setting, difficulty."""
    library = _library(paths)
    for module in library.modules:
        click.echo(f"{module.id}: {module.title} ({len(module.vignettes)} vignettes)")
        for v in module.vignettes:
            click.echo(f"  {v.id:<32} {v.title:<44} {v.setting:<26} {v.difficulty}")


@main.command()
@click.argument("texts", nargs=-1, required=True, metavar='["CLIENT STATEMENT"] "RESPONSE"')
@click.option("--vignette", "vignette_id", help="Score against this vignette's answer key.")
@click.option("--rubric", default="reflection", show_default=True, help="Rubric name.")
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
def score(texts: tuple[str, ...], vignette_id: str | None, rubric: str, as_json: bool) -> None:
    """Score RESPONSE to CLIENT STATEMENT, to --vignette ID, or on its own."""
    from .reports import assessment_text
    from .scoring import score_response

    if len(texts) > 2:
        raise click.UsageError("give at most two texts: the client statement and the response")
    client_statement, response = ("", texts[0]) if len(texts) == 1 else texts
    vignette = None
    if vignette_id:
        try:
            vignette = _library(()).vignette(vignette_id)
        except KeyError:
            raise click.UsageError(f"unknown vignette id '{vignette_id}'") from None
    try:
        assessment = score_response(
            response,
            client_statement=client_statement or None,
            vignette=vignette,
            rubric=rubric,
        )
    except (EmpathyTrainingError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(assessment.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(assessment_text(assessment))


@main.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="OUT.csv or OUT.xlsx"
)
@click.option("--rubric", default="reflection", show_default=True, help="Rubric name.")
def grade(source: Path, output: Path, rubric: str) -> None:
    """Score every response in SOURCE (CSV or XLSX) and write OUTPUT with the scores added."""
    from tqdm import tqdm

    from .grading import grade as grade_table
    from .results import write_results

    try:
        table = _read(source)
        library = _library(())
        with tqdm(
            total=len(table), unit="response", disable=not sys.stderr.isatty(), file=sys.stderr
        ) as bar:

            def advance(count: int) -> None:
                bar.update(count)

            graded = grade_table(table, library=library, rubric=rubric, progress=advance)
        write_results(graded, output)
    except (EmpathyTrainingError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    failed = int((graded["error"].astype(str) != "").sum())
    click.echo(f"Graded {len(graded) - failed} of {len(graded)} responses into {output}.")
    if failed:
        click.echo(f"{failed} row(s) could not be graded; see the 'error' column.", err=True)
        sys.exit(1)


@main.command()
@click.option("--db", "db_url", envvar="EMPATHY_TRAINING_DB", help="Database URL.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 for a room (trainees get this machine's LAN address).",
)
@click.option("--port", default=8866, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.option(
    "--passcode",
    envvar="EMPATHY_TRAINING_PASSCODE",
    help=(
        "Supervisor passcode for the dashboard and grading apps (stored as a salted hash). "
        "On the command line it is visible to other users of the machine (ps); prefer the "
        "EMPATHY_TRAINING_PASSCODE environment variable or --passcode-file."
    ),
)
@click.option(
    "--passcode-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the supervisor passcode from the first line of this file.",
)
@click.option(
    "--workshop",
    "workshop_name",
    metavar="NAME",
    help=(
        "Run the workshop with this name: the open one of that name is reopened (same join "
        "code, answers kept), else it is created. The dashboard opens it by itself."
    ),
)
@click.option(
    "--module",
    "module_ids",
    multiple=True,
    metavar="ID",
    help=(
        "With --workshop: run every vignette of this module (repeat for more). A new workshop "
        "with neither --module nor --vignettes runs the first module's vignettes."
    ),
)
@click.option(
    "--vignettes",
    metavar="ID,ID,...",
    help="With --workshop: run these vignettes, in this order (ids from `empathy-training list`).",
)
@click.option(
    "--public-url",
    metavar="URL",
    help=(
        "The address trainees open, e.g. http://ward4.example.org/ behind a proxy; by default "
        "the machine's address on the room's network when --host is 0.0.0.0."
    ),
)
def serve(
    db_url: str | None,
    host: str,
    port: int,
    no_browser: bool,
    passcode: str | None,
    passcode_file: Path | None,
    workshop_name: str | None,
    module_ids: tuple[str, ...],
    vignettes: str | None,
    public_url: str | None,
) -> None:
    """Serve the practice app and the supervisor apps with Voila (SQLite by default)."""
    from .serve import run
    from .workshop_plan import split_ids

    vignette_ids = split_ids(vignettes or "")
    if (module_ids or vignette_ids) and not workshop_name:
        raise click.UsageError(
            "--module and --vignettes choose a workshop's vignettes: add --workshop NAME"
        )

    if passcode_file is not None:
        lines = passcode_file.read_text(encoding="utf-8").splitlines()
        passcode = lines[0].strip() if lines else ""
        if not passcode:
            raise click.ClickException(f"{passcode_file}: the first line holds no passcode")
    try:
        sys.exit(
            run(
                db_url=db_url,
                host=host,
                port=port,
                open_browser=not no_browser,
                passcode=passcode,
                workshop_name=workshop_name,
                module_ids=module_ids,
                vignette_ids=vignette_ids,
                public_url=public_url,
            )
        )
    except EmpathyTrainingError as exc:
        raise click.ClickException(str(exc)) from exc


def _library(paths: tuple[Path, ...]) -> Library:
    try:
        return load_library(list(paths) or None)
    except ScenarioErrors as exc:
        raise click.ClickException(f"the scenario library has problems:\n{exc}") from exc


@main.group()
def report() -> None:
    """Feedback reports, rater agreement and pre/post change from graded spreadsheets."""


@report.command(name="feedback")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="Folder or .zip"
)
@click.option(
    "--rubric",
    default="reflection",
    show_default=True,
    help="The rubric SOURCE was graded with (its feedback comes from it).",
)
def report_feedback(source: Path, output: Path, rubric: str) -> None:
    """Write one printable HTML feedback report per trainee (a folder, or a .zip)."""
    from .feedback_reports import ASSESSMENT_COLUMN, all_reports, reports_zip, write_reports
    from .grading import with_assessments

    table = _graded(source, assessments=True, rubric=rubric)
    library = _library(())
    if ASSESSMENT_COLUMN not in table.columns:  # the evidence behind each row's scores
        table = with_assessments(table, library=library, rubric=rubric)
    if output.suffix.lower() == ".zip":
        pages = all_reports(table, library=library)
        output.write_bytes(reports_zip(pages))
        click.echo(f"Wrote {len(pages)} report(s) into {output}.")
    else:
        paths = write_reports(table, output, library=library)
        click.echo(f"Wrote {len(paths)} report(s) into {output}.")


@report.command(name="agreement")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Also write CSV or XLSX.")
def report_agreement(source: Path, output: Path | None) -> None:
    """Weighted kappa and exact agreement between raters' 'NAME (level)' columns and the scorer."""
    from .agreement import (
        MIN_ITEMS_FOR_KAPPA,
        TOO_FEW_TO_TELL,
        agreement_table,
        ratings_from_table,
    )
    from .results import write_results

    table = _graded(source)
    try:
        figures = agreement_table(ratings_from_table(table))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    overall = figures[figures["scope"] == "overall"]
    for row in overall.to_dict("records"):
        kappa = (
            f"kappa {TOO_FEW_TO_TELL} (it needs {MIN_ITEMS_FOR_KAPPA} or more items rated by both)"
            if row["n"] < MIN_ITEMS_FOR_KAPPA
            else f"kappa={row['kappa']:.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}] "
            f"{row['note']}"
        )
        click.echo(
            f"{row['rater_a']} vs {row['rater_b']}: n={row['n']}, exact={row['exact']:.2f}, "
            f"{kappa}".rstrip()
        )
    if overall.empty:
        click.echo("No rater columns ('NAME (level)') found: only the automatic scores.")
    if output:
        write_results(figures, output)


@report.command(name="prepost")
@click.argument("pre", type=click.Path(path_type=Path))
@click.argument("post", type=click.Path(path_type=Path))
@click.option("--chart", type=click.Path(path_type=Path), help="Write the chart as PNG.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def report_prepost(pre: Path, post: Path, chart: Path | None, as_json: bool) -> None:
    """Change per trainee from PRE to POST, the cohort's mean change and effect size."""
    from .feedback_reports import trainee_column
    from .prepost import prepost, prepost_chart

    before, after = _graded(pre), _graded(post)
    column = trainee_column(before)
    if column is None or trainee_column(after) != column:
        raise click.ClickException("both files need the same trainee column (e.g. 'trainee')")
    result = prepost(before, after, trainee=column)
    if chart:
        chart.write_bytes(prepost_chart(result))
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    click.echo(
        f"{result.n_paired} trainees on both occasions: mean level {result.mean_pre:.2f} -> "
        f"{result.mean_post:.2f}, change {result.mean_change:+.2f} "
        f"[{result.change_ci[0]:+.2f}, {result.change_ci[1]:+.2f}], d_z {result.d_z:.2f} "
        f"[{result.d_z_ci[0]:.2f}, {result.d_z_ci[1]:.2f}]"
    )
    for note in result.notes:
        click.echo(f"Note: {note}")


def _read(source: Path) -> Any:
    """A response table read from CSV/XLSX, saying on stderr what was changed (cells cut)."""
    from .grading import read_responses

    table = read_responses(source)
    for note in table.attrs.get("notes", []):
        click.echo(f"Note: {source}: {note}", err=True)
    return table


def _graded(source: Path, *, assessments: bool = False, rubric: str = "reflection") -> Any:
    """A table read from CSV/XLSX, graded first when it has no automatic levels yet (with
    each row's assessment too, if `assessments`)."""
    from .grading import grade as grade_table

    try:
        table = _read(source)
        if "hrq_level" not in table.columns:
            table = grade_table(table, library=_library(()), assessments=assessments, rubric=rubric)
    except (EmpathyTrainingError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    return table
