"""Answer-key fields a supervisor needs: means, safeguarding, capacity, risk, self-labels."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from empathy_training.cli import main
from empathy_training.loading import MEANS_RISK_KINDS, check_library, load_library, load_module
from empathy_training.yaml_fields import contains_phrase

DATA = Path(__file__).parent / "data" / "scenarios"
GOOD = (DATA / "good.yml").read_text(encoding="utf-8")
RISK_LINE = "      risk_cues: []                    # see below"
SUICIDE_CUE = """\
      risk_cues:
        - kind: suicide
          cue: what's the point
          acknowledged_by: [point, ending your life]"""
STATEMENT_END = "I'm so fed up with it all."


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "module.yml"
    path.write_text(text, encoding="utf-8")
    return path


def with_key_lines(*lines: str, text: str = GOOD) -> str:
    """GOOD with extra answer-key lines in place of the empty risk cues."""
    return text.replace(RISK_LINE, "\n".join(lines))


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_new_fields_default_to_empty() -> None:
    key = load_module(DATA / "good.yml").vignettes[0].answer_key
    assert key.means == key.safeguarding == key.capacity == key.self_labels == ()
    assert key.risk_factors == ()


def test_new_fields_load_as_tuples_of_text(tmp_path: Path) -> None:
    text = with_key_lines(
        "      means: [stairs with no rail]",
        "      safeguarding: [adult at risk of neglect]",
        "      capacity: ['decision to move: capacity assumed']",
        "      self_labels: []",
        "      risk_factors: [lives alone after a fall]",
    )
    key = load_module(write(tmp_path, text)).vignettes[0].answer_key
    assert key.means == ("stairs with no rail",)
    assert key.safeguarding == ("adult at risk of neglect",)
    assert key.capacity == ("decision to move: capacity assumed",)
    assert key.self_labels == ()
    assert key.risk_factors == ("lives alone after a fall",)


def test_a_new_field_of_the_wrong_type_names_file_line_and_field(tmp_path: Path) -> None:
    text = with_key_lines("      safeguarding: {children: yes}")
    check = check_library([write(tmp_path, text)])
    (problem,) = check.problems
    assert str(problem).startswith(f"{tmp_path / 'module.yml'}:{line_of(text, 'safeguarding')}: ")
    assert "answer_key.safeguarding: expected a list, got a mapping" in str(problem)


def test_a_list_item_that_is_not_text_is_a_problem(tmp_path: Path) -> None:
    text = with_key_lines("      capacity:", "        - [nested]")
    (problem,) = check_library([write(tmp_path, text)]).problems
    assert f":{line_of(text, '[nested]')}: " in str(problem)
    assert "answer_key.capacity[0]: expected text" in str(problem)


def test_a_self_label_offered_as_a_stated_feeling_is_a_problem(tmp_path: Path) -> None:
    text = GOOD.replace(STATEMENT_END, "I'm so fed up with it all. I'm just useless now.")
    text = text.replace("stated_feelings: [fed up]", "stated_feelings: [fed up, useless]")
    text = with_key_lines("      self_labels: [useless]", text=text)
    (problem,) = check_library([write(tmp_path, text)]).problems
    assert f":{line_of(text, 'stated_feelings')}: " in str(problem)
    assert "answer_key.stated_feelings[1]: 'useless' is one of the client's self-critical" in str(
        problem
    )


def test_a_self_label_inside_an_unstated_feeling_is_a_problem(tmp_path: Path) -> None:
    text = GOOD.replace(STATEMENT_END, "I'm so fed up with it all. I'm a burden to her.")
    text = text.replace("[loss, frustrated,", "[loss, like a burden, frustrated,")
    text = with_key_lines("      self_labels: [burden]", text=text)
    (problem,) = check_library([write(tmp_path, text)]).problems
    assert "answer_key.unstated_feelings[1]: 'like a burden'" in str(problem)
    assert "(self_labels: 'burden')" in str(problem)


def test_a_self_label_must_be_the_clients_own_words(tmp_path: Path) -> None:
    text = with_key_lines("      self_labels: [pathetic]")
    (problem,) = check_library([write(tmp_path, text)]).problems
    assert f":{line_of(text, 'self_labels')}: " in str(problem)
    assert "self_labels[0]: 'pathetic' does not appear in the statement" in str(problem)


def test_a_self_label_matches_whole_words_only(tmp_path: Path) -> None:
    text = with_key_lines("      self_labels: [allot]")
    (problem,) = check_library([write(tmp_path, text)]).problems
    assert "self_labels[0]: 'allot' does not appear in the statement" in str(problem)


def test_a_feeling_holding_a_self_label_is_a_problem(tmp_path: Path) -> None:
    text = with_key_lines("      self_labels: [fed]")
    (problem,) = check_library([write(tmp_path, text)]).problems
    assert "answer_key.stated_feelings[0]: 'fed up' is one of the client's self-critical" in str(
        problem
    )


def test_a_suicide_cue_without_means_is_a_warning_not_a_problem(tmp_path: Path) -> None:
    text = GOOD.replace(STATEMENT_END, "I'm so fed up with it all. Honestly, what's the point.")
    text = with_key_lines(SUICIDE_CUE, text=text)
    path = write(tmp_path, text)
    check = check_library([path])
    assert check.problems == ()
    (warning,) = check.warnings
    assert warning.field == "vignettes[rlb-knee-pain].answer_key.means"
    assert warning.line == line_of(text, "stated_feelings")
    assert "a suicide risk cue with no means" in warning.message
    assert load_library([path]).vignette("rlb-knee-pain").answer_key.risk_cues


def test_declaring_means_clears_the_warning(tmp_path: Path) -> None:
    text = GOOD.replace(STATEMENT_END, "I'm so fed up with it all. Honestly, what's the point.")
    means = "      means: ['not stated: ask about access to means']"
    text = with_key_lines(SUICIDE_CUE, means, text=text)
    assert check_library([write(tmp_path, text)]).warnings == ()


def test_validate_prints_warnings_and_strict_fails_on_them(tmp_path: Path) -> None:
    text = GOOD.replace(STATEMENT_END, "I'm so fed up with it all. Honestly, what's the point.")
    path = write(tmp_path, with_key_lines(SUICIDE_CUE, text=text))
    runner = CliRunner()
    plain = runner.invoke(main, ["validate", str(path)])
    assert plain.exit_code == 0
    assert "answer_key.means: warning: a suicide risk cue with no means" in plain.stderr
    assert "1 warning(s)" in plain.stdout
    strict = runner.invoke(main, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1
    assert "1 problem found." in strict.stderr


# --- the bundled library, as a clinical supervisor would sign it ------------------------------


def test_every_bundled_suicide_or_self_harm_vignette_declares_means() -> None:
    library = load_library()
    for vignette in library.vignettes:
        kinds = {c.kind for c in vignette.answer_key.risk_cues}
        if kinds & set(MEANS_RISK_KINDS):
            assert vignette.answer_key.means, vignette.id
    assert check_library([Path(m.source) for m in library.modules]).warnings == ()


def test_no_bundled_feeling_is_a_self_label() -> None:
    for vignette in load_library().vignettes:
        key = vignette.answer_key
        for label in key.self_labels:
            assert contains_phrase(vignette.statement, label), (vignette.id, label)
            for feeling in (*key.stated_feelings, *key.unstated_feelings):
                assert not contains_phrase(feeling, label), (vignette.id, feeling)
                assert not contains_phrase(label, feeling), (vignette.id, feeling)


def as_feeling(label: str) -> re.Pattern[str]:
    """'you feel <label>', 'feeling like a <label>', 'you feel so <label>'."""
    return re.compile(
        r"\bfeel(?:s|ing)?\s+(?:like\s+)?(?:(?:a|an|so|really|such)\s+)*" + re.escape(label),
        re.IGNORECASE,
    )


def test_no_good_exemplar_offers_a_self_label_as_a_feeling() -> None:
    assert as_feeling("useless mother").search("and you feel like a useless mother.")
    assert not as_feeling("pathetic").search("you've been calling yourself pathetic")
    checked = 0
    for vignette in load_library().vignettes:
        for label in vignette.answer_key.self_labels:
            for exemplar in vignette.exemplars:
                checked += 1
                if exemplar.level >= 3:
                    assert not as_feeling(label).search(exemplar.text), (vignette.id, exemplar.text)
    assert checked >= 50


def test_the_clinical_review_findings_are_in_the_keys() -> None:
    library = load_library()

    def key(vignette_id: str):  # type: ignore[no-untyped-def]
        return library.vignette(vignette_id).answer_key

    washing_up = key("sc-pathetic-washing-up")
    assert "pathetic" in washing_up.self_labels
    assert "pathetic" not in washing_up.stated_feelings
    assert "dead weight" in key("risk-better-off-without-me").self_labels
    assert "thick" in key("sc-failed-resit").self_labels
    assert any("prescription" in m for m in key("risk-better-off-without-me").means)
    assert any("tablets" in m for m in key("risk-tablets-in-the-drawer").means)
    assert any("coercive" in s for s in key("val-late-home").safeguarding)
    assert any("coercive" in s for s in key("risk-checks-my-phone").safeguarding)
    locked_in = key("risk-locked-in-waiting")
    assert locked_in.capacity and locked_in.safeguarding
    assert any("depression" in r for r in washing_up.risk_factors)
    assert not washing_up.risk_cues


def test_every_risk_vignette_names_a_duty_or_means() -> None:
    for vignette in load_library().module("risk-and-disclosure").vignettes:
        key = vignette.answer_key
        assert key.means or key.safeguarding or key.capacity, vignette.id
