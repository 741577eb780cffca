"""The `empathy-training` command line: a thin layer over the package's functions."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .errors import EmpathyTrainingError, ScenarioErrors
from .loading import bundled_scenarios_dir, check_files, load_library, scenario_files
from .models import Library


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="empathy-training")
def main() -> None:
    """Practise and grade empathic responses to client vignettes."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check scenario files (the bundled library by default); exit 1 on any problem."""
    targets = list(paths) or [bundled_scenarios_dir()]
    missing = [p for p in targets if not p.exists()]
    for path in missing:
        click.echo(f"{path}:1: (file): no such file or directory", err=True)
    files = scenario_files([p for p in targets if p.exists()])
    if not files and not missing:
        click.echo("no scenario files (*.yml, *.yaml) found", err=True)
        sys.exit(1)
    modules, problems = check_files(files)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems or missing:
        count = len(problems) + len(missing)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)
        sys.exit(1)
    vignettes = sum(len(m.vignettes) for m in modules)
    exemplars = sum(len(v.exemplars) for m in modules for v in m.vignettes)
    click.echo(
        f"OK: {len(files)} file(s), {len(modules)} module(s), {vignettes} vignettes, "
        f"{exemplars} exemplars."
    )


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
@click.argument("client_statement", required=False, default="")
@click.argument("response")
@click.option("--vignette", "vignette_id", help="Score against this vignette's answer key.")
@click.option("--rubric", default="reflection", show_default=True, help="Rubric name.")
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
def score(
    client_statement: str, response: str, vignette_id: str | None, rubric: str, as_json: bool
) -> None:
    """Score RESPONSE to CLIENT_STATEMENT (or to --vignette ID)."""
    from .reports import assessment_text
    from .scoring import score_response

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
    from .grading import read_responses, write_results

    try:
        table = read_responses(source)
        library = _library(())
        with tqdm(
            total=len(table), unit="response", disable=not sys.stderr.isatty(), file=sys.stderr
        ) as bar:
            graded = grade_table(table, library=library, rubric=rubric, progress=bar.update)
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
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8866, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.option(
    "--passcode",
    envvar="EMPATHY_TRAINING_PASSCODE",
    help="Supervisor passcode for the dashboard and grading apps (stored as a salted hash).",
)
@click.option("--workshop", "workshop_name", help="Create a workshop with this name at start.")
def serve(
    db_url: str | None,
    host: str,
    port: int,
    no_browser: bool,
    passcode: str | None,
    workshop_name: str | None,
) -> None:
    """Serve the practice app and the supervisor apps with Voila (SQLite by default)."""
    from .serve import run

    try:
        sys.exit(
            run(
                db_url=db_url,
                host=host,
                port=port,
                open_browser=not no_browser,
                passcode=passcode,
                workshop_name=workshop_name,
            )
        )
    except EmpathyTrainingError as exc:
        raise click.ClickException(str(exc)) from exc


def _library(paths: tuple[Path, ...]) -> Library:
    try:
        return load_library(list(paths) or None)
    except ScenarioErrors as exc:
        raise click.ClickException(f"the scenario library has problems:\n{exc}") from exc
