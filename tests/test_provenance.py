"""Traceable rubrics: every criterion names its source and rule, every threshold its basis."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from empathy_training.models import RUBRIC_NAMES
from empathy_training.provenance import (
    SET_BY_US,
    load_rubric_provenance,
    load_sources,
    read_rubric_provenance,
    read_sources,
)

SOURCES = load_sources()
RUBRIC = """\
id: toy
settings:
  interrogating_run: 3
thresholds:
  interrogating_run:
    value: 3
    basis: Set by us because three questions in a row read as an interview.
criteria:
  - id: reflects-before-asking
    name: Reflects before asking
    detector: question_balance
    params: {ratio: 1.0}
    source: [moyers-2014-miti]
    rule: At least one reflection for each question.
    thresholds:
      ratio:
        value: 1.0
        source: [moyers-2014-miti]
        basis: MITI 4.2.1's fair reflection-to-question ratio.
"""


def raw(name: str) -> dict[str, object]:
    text = resources.files("empathy_training").joinpath("rubrics", f"{name}.yml").read_text()
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def problems(text: str) -> list[str]:
    _, found = read_rubric_provenance(text, "rubrics/toy.yml", SOURCES)
    return [str(p) for p in found]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("name", RUBRIC_NAMES)
def test_every_bundled_criterion_has_a_source_a_rule_and_stated_thresholds(name: str) -> None:
    rubric = load_rubric_provenance(name)
    assert rubric.gaps() == ()
    assert rubric.sources
    criteria = raw(name)["criteria"]
    assert isinstance(criteria, list)
    assert [c.id for c in rubric.criteria] == [c["id"] for c in criteria]
    for criterion, data in zip(rubric.criteria, criteria, strict=True):
        assert criterion.sources and len(criterion.rule.split()) >= 8, criterion.id
        assert dict(criterion.params) == (data.get("params") or {})
        for param in criterion.params:
            assert criterion.threshold(param).value == data["params"][param]


@pytest.mark.parametrize("name", RUBRIC_NAMES)
def test_a_threshold_is_either_sourced_or_says_why_we_set_it(name: str) -> None:
    rubric = load_rubric_provenance(name)
    for threshold in (*rubric.thresholds, *(t for c in rubric.criteria for t in c.thresholds)):
        assert threshold.basis
        if threshold.set_by_us:
            assert threshold.basis.startswith(SET_BY_US), threshold.name


def test_the_thresholds_the_review_asked_about_have_their_basis() -> None:
    reflection = load_rubric_provenance("reflection")
    ratio = reflection.criterion("reflects-before-asking").threshold("ratio")
    assert [s.id for s in ratio.sources] == ["moyers-2014-miti"] and "MITI 4.2.1" in ratio.basis
    assert reflection.criterion("catches-what-matters").threshold("min_score").set_by_us
    cap = reflection.criterion("takes-up-risk").threshold("level_cap")
    assert cap.value == 2 and cap.set_by_us
    run = next(t for t in reflection.thresholds if t.name == "interrogating_run")
    assert run.value == 3 and run.set_by_us
    validation = load_rubric_provenance("validation")
    assert [s.id for s in validation.criterion("names-unsaid").sources] == ["linehan-1997"]


def test_sources_are_cited_in_full() -> None:
    miti = SOURCES["moyers-2014-miti"]
    assert miti.citation == (
        "Moyers, T. B., Manuel, J. K., & Ernst, D. (2014). Motivational Interviewing Treatment "
        "Integrity Coding Manual 4.2.1. Unpublished coding manual (MITI 4.2.1)."
    )
    assert {"dazzi-2014", "nice-ng225-2022", "mca-2005", "care-act-2014"} <= set(SOURCES)
    cited = {
        s.id
        for name in RUBRIC_NAMES
        for c in load_rubric_provenance(name).criteria
        for s in c.sources
    }
    assert {"gordon-1970", "linehan-1997", "neff-2003", "miller-1991-hrq"} <= cited


def test_a_well_formed_rubric_reads_without_problems() -> None:
    rubric, found = read_rubric_provenance(RUBRIC, "rubrics/toy.yml", SOURCES)
    assert found == [] and rubric is not None
    assert rubric.criterion("reflects-before-asking").threshold("ratio").sources[0].year == 2014


def test_an_unknown_source_names_file_line_and_field() -> None:
    text = RUBRIC.replace(
        "source: [moyers-2014-miti]\n    rule", "source: [moyers-2041-miti]\n    rule"
    )
    (problem,) = problems(text)
    assert problem.startswith(f"rubrics/toy.yml:{line_of(text, '2041')}: ")
    assert (
        "criteria[reflects-before-asking].source[0]: unknown source 'moyers-2041-miti'" in problem
    )
    assert "(did you mean 'moyers-2014-miti'?)" in problem


def test_a_threshold_that_disagrees_with_the_parameter_is_a_problem() -> None:
    text = RUBRIC.replace("        value: 1.0", "        value: 2.0")
    (problem,) = problems(text)
    assert f":{line_of(text, 'value: 2.0')}: " in problem
    assert "thresholds.ratio.value: 2.0 differs from the value in use, 1.0" in problem


def test_an_unsourced_basis_must_say_it_is_ours() -> None:
    text = RUBRIC.replace("Set by us because three", "Three")
    (problem,) = problems(text)
    assert (
        f"thresholds.interrogating_run.basis: a basis with no source must start '{SET_BY_US}'"
        in (problem)
    )


def test_a_basis_for_a_setting_that_does_not_exist_is_a_problem() -> None:
    text = RUBRIC.replace("thresholds:\n  interrogating_run:", "thresholds:\n  interogating_run:")
    (problem,) = problems(text)
    assert "thresholds.interogating_run: no such setting (did you mean 'interrogating_run'?)" in (
        problem
    )


def test_a_rubric_without_provenance_still_reads_and_its_gaps_are_listed() -> None:
    text = "id: old\nsettings: {interrogating_run: 3}\ncriteria:\n"
    text += "  - {id: reflects, name: Reflects, params: {ratio: 1.0}}\n"
    rubric, found = read_rubric_provenance(text, "rubrics/old.yml", SOURCES)
    assert found == [] and rubric is not None
    assert rubric.gaps() == (
        "old: source",
        "old: thresholds.interrogating_run",
        "old: criteria[reflects].source",
        "old: criteria[reflects].rule",
        "old: criteria[reflects].thresholds.ratio",
    )


def test_a_bad_bibliography_entry_is_located() -> None:
    text = """\
sources:
  - {id: a-1, authors: A., year: 2014, title: T, published: P, kind: manual}
  - {id: a-1, authors: B., year: 20140, title: T, published: P, kind: blog}
"""
    _, found = read_sources(text, "rubrics/sources.yml")
    messages = sorted(str(p) for p in found)
    assert len(messages) == 3
    assert all(m.startswith("rubrics/sources.yml:3: sources[1]") for m in messages)
    assert any("duplicate source id 'a-1'" in m for m in messages)
    assert any(".year: 20140 is out of range" in m for m in messages)
    assert any(".kind: unknown value 'blog'" in m for m in messages)


def test_validate_checks_the_bundled_rubric_data(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from empathy_training import cli
    from empathy_training.errors import ScenarioError, ScenarioErrors

    runner = CliRunner()
    assert runner.invoke(cli.main, ["validate", "--strict"]).exit_code == 0
    old, _ = read_rubric_provenance(
        "id: old\ncriteria:\n  - {id: reflects, name: Reflects, source: [neff-2003]}\n",
        "rubrics/old.yml",
        SOURCES,
    )
    monkeypatch.setattr(cli, "load_rubric_provenance", lambda name: old)
    result = runner.invoke(cli.main, ["validate"])
    assert result.exit_code == 0
    assert "rubrics/reflection.yml:1: criteria[reflects].rule: warning: missing" in result.stderr
    assert runner.invoke(cli.main, ["validate", "--strict"]).exit_code == 1

    def broken() -> None:
        raise ScenarioErrors([ScenarioError("rubrics/glossary.yml", 3, "terms[0]", "bad")])

    monkeypatch.setattr(cli, "load_glossary", broken)
    result = runner.invoke(cli.main, ["validate"])
    assert result.exit_code == 1
    assert "rubrics/glossary.yml:3: terms[0]: bad" in result.stderr
