"""Scenario loading: the bundled library, and one precise message for each kind of bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from empathy_training.errors import ScenarioErrors
from empathy_training.loading import MAX_FILE_BYTES, check_files, load_library, load_module
from empathy_training.models import DIFFICULTIES, ROADBLOCK_IDS

DATA = Path(__file__).parent / "data" / "scenarios"
GOOD = (DATA / "good.yml").read_text(encoding="utf-8")


def problems_for(tmp_path: Path, text: str | bytes, name: str = "module.yml") -> list[str]:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    _, problems = check_files([path])
    return [str(p) for p in problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_good_file_loads_into_models() -> None:
    module = load_module(DATA / "good.yml")
    assert module.id == "reflective-listening-basics"
    (vignette,) = module.vignettes
    assert vignette.id == "rlb-knee-pain"
    assert vignette.module_id == module.id
    assert "allotment" in vignette.statement
    assert vignette.answer_key.stated_feelings == ("fed up",)
    assert sorted(e.level for e in vignette.exemplars) == [1, 2, 3, 4, 5]
    assert vignette.exemplars[0].roadblocks == ("advising",)


def test_bundled_library_is_large_varied_and_valid() -> None:
    library = load_library()
    assert len(library.modules) >= 6
    assert len(library.vignettes) >= 36
    settings = {v.setting for v in library.vignettes}
    assert len(settings) >= 7
    used = {r for v in library.vignettes for e in v.exemplars for r in e.roadblocks}
    assert used == set(ROADBLOCK_IDS)
    for vignette in library.vignettes:
        assert vignette.difficulty in DIFFICULTIES
        assert len(vignette.exemplars) >= 5
        assert {e.level for e in vignette.exemplars} >= {1, 2, 3, 4, 5}
        for exemplar in vignette.exemplars:
            if exemplar.level == 1:
                assert exemplar.roadblocks, f"{vignette.id}: level 1 needs a roadblock"
            if exemplar.level >= 3:
                assert not exemplar.roadblocks, f"{vignette.id}: level {exemplar.level}"
    risk = library.module("risk-and-disclosure")
    assert all(v.answer_key.risk_cues for v in risk.vignettes)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    text = GOOD.replace("    setting: primary care", "    setting: [primary care")
    (problem,) = problems_for(tmp_path, text)
    assert problem.startswith(f"{tmp_path / 'module.yml'}:")
    assert "(syntax)" in problem and "YAML syntax error" in problem


def test_missing_field_names_the_field(tmp_path: Path) -> None:
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith("    setting:"))
    (problem,) = problems_for(tmp_path, text)
    assert f":{line_of(text, '- id: rlb-knee-pain')}: " in problem
    assert "vignettes[rlb-knee-pain].setting: missing required field" in problem


def test_misspelt_field_suggests_the_right_one(tmp_path: Path) -> None:
    text = GOOD.replace("    statement: >", "    statment: >")
    problems = problems_for(tmp_path, text)
    assert any(
        f":{line_of(text, 'statment')}: vignettes[rlb-knee-pain].statment: unknown field "
        "(did you mean 'statement'?)" in p
        for p in problems
    )
    assert any("statement: missing required field" in p for p in problems)


def test_wrong_type(tmp_path: Path) -> None:
    text = GOOD.replace("      stated_feelings: [fed up]", "      stated_feelings: {a: b}")
    (problem,) = problems_for(tmp_path, text)
    assert f":{line_of(text, 'stated_feelings')}: " in problem
    assert "answer_key.stated_feelings: expected a list" in problem


def test_level_out_of_range(tmp_path: Path) -> None:
    text = GOOD.replace("      - level: 5", "      - level: 6")
    problems = problems_for(tmp_path, text)
    assert any(
        f":{line_of(text, 'level: 6')}: " in p and "exemplars[4].level: 6 is out of range" in p
        for p in problems
    )
    assert any("missing level 5" in p for p in problems)


def test_level_not_a_number(tmp_path: Path) -> None:
    text = GOOD.replace("      - level: 2", "      - level: two")
    assert any(
        "level: expected a whole number, got 'two'" in p for p in problems_for(tmp_path, text)
    )


def test_unknown_roadblock(tmp_path: Path) -> None:
    text = GOOD.replace("roadblocks: [advising]", "roadblocks: [advice]")
    (problem,) = problems_for(tmp_path, text)
    assert f":{line_of(text, '[advice]')}: " in problem
    assert "exemplars[0].roadblocks[0]: unknown value 'advice'" in problem


def test_duplicate_vignette_id_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    first.write_text(GOOD, encoding="utf-8")
    second.write_text(GOOD.replace("id: reflective-listening-basics", "id: other"), "utf-8")
    _, problems = check_files([first, second])
    (problem,) = problems
    assert str(problem).startswith(f"{second}:{line_of(GOOD, '- id: rlb-knee-pain')}: ")
    assert f"duplicate vignette id 'rlb-knee-pain' (first defined at {first}:" in str(problem)


def test_empty_file(tmp_path: Path) -> None:
    assert problems_for(tmp_path, "\n\n") == [
        f"{tmp_path / 'module.yml'}:1: (file): the file is empty; expected 'module' and 'vignettes'"
    ]


def test_non_utf8_file(tmp_path: Path) -> None:
    text = GOOD.replace("Margaret", "Ren\u00e9e").encode("latin-1")
    (problem,) = problems_for(tmp_path, text)
    assert f":{line_of(GOOD, 'Margaret')}: (encoding): not valid UTF-8" in problem


def test_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    text = GOOD + "#" * 80 + "\n"
    text = text * (10 * MAX_FILE_BYTES // len(text))
    (problem,) = problems_for(tmp_path, text)
    assert ":1: (file): the file is 10.0 MB" in problem


def test_risk_cue_must_quote_the_statement(tmp_path: Path) -> None:
    text = GOOD.replace(
        "      risk_cues: []                    # see below",
        "      risk_cues:\n        - kind: hopelessness\n          cue: nothing left\n"
        "          acknowledged_by: [hopeless]",
    )
    (problem,) = problems_for(tmp_path, text)
    assert "risk_cues[0].cue: 'nothing left' does not appear in the statement" in problem


def test_load_library_raises_with_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(GOOD.replace("level: 1", "level: 0").replace("[advising]", "[x]"), "utf-8")
    with pytest.raises(ScenarioErrors) as info:
        load_library([tmp_path])
    assert len(info.value.problems) >= 2
    assert all(str(p).startswith(str(bad)) for p in info.value.problems)


def test_module_rubric_is_checked(tmp_path: Path) -> None:
    text = GOOD.replace("  order: 1 ", "  rubric: empathy\n  order: 1 ")
    (problem,) = problems_for(tmp_path, text)
    assert "module.rubric: unknown value 'empathy'" in problem
    assert load_library().module("validation").rubric == "validation"


ALIAS_BOMB = """\
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
? [*g, *g, *g, *g, *g, *g, *g, *g, *g]
: boom
"""


def test_an_alias_chain_used_as_a_key_is_refused_at_once(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, ALIAS_BOMB)
    assert len(ALIAS_BOMB) < 1_300
    assert problems == [
        f"{tmp_path / 'module.yml'}:2: (syntax): YAML syntax error: aliases "
        "(*name) are not allowed in scenario files"
    ]


def test_a_mapping_used_as_a_key_is_named_not_printed(tmp_path: Path) -> None:
    text = GOOD.replace(
        "module:\n", "module:\n  ? {" + ", ".join(f"k{i}: v" for i in range(500)) + "}\n  : x\n", 1
    )
    problems = problems_for(tmp_path, text)
    assert any(":2: module: a field name must be text" in p for p in problems)
    assert all(len(p) < 400 for p in problems)


@pytest.mark.parametrize("level", ["0x1", "0b10", "1:30", "0o7"])
def test_yaml_integers_in_other_notations_are_a_clear_problem(tmp_path: Path, level: str) -> None:
    text = GOOD.replace("      - level: 2", f"      - level: {level}")
    problems = problems_for(tmp_path, text)
    assert any(
        f":{line_of(text, 'level: ' + level)}: " in p
        and f"level: expected a whole number, got '{level}'" in p
        for p in problems
    ), problems


def test_deep_nesting_is_a_clear_problem(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, "a: " + "[" * 5_000 + "]" * 5_000 + "\n")
    assert len(problems) == 1 and ":1: (syntax): " in problems[0]


def test_messages_quote_at_most_a_little_of_the_file(tmp_path: Path) -> None:
    text = GOOD.replace("difficulty: introductory", "difficulty: " + "x" * 100_000, 1)
    problems = problems_for(tmp_path, text)
    assert any("unknown value 'xxx" in p for p in problems)
    assert all(len(p) < 400 for p in problems)
