"""The rules' reading of a response: the evidence that the learned decisions cite."""

from __future__ import annotations

from .answer_key import KeyResult, check_key
from .client import Client
from .depth import find_depth
from .feeling_fit import misfit_feelings
from .findings import Findings, Roadblock, any_overlap
from .lexicons import lexicons
from .reflection import find_off_topic, find_reflective
from .roadblocks import find_roadblocks, questioning
from .rubrics import Rubric
from .text import analyse_once
from .words import stem


def pattern_roadblocks(response: str, client: Client) -> list[Roadblock]:
    """Every roadblock the patterns find, whatever the models say: a text offered as a model
    answer must have none."""
    return find_roadblocks(analyse_once(response), client, lexicons())


def analyse_response(
    response: str,
    client: Client,
    rubric: Rubric,
    *,
    patterns_stand: bool = True,
    asks: bool = True,
) -> tuple[Findings, KeyResult | None]:
    """Run the rules' detectors: the evidence the learned decisions cite.

    `patterns_stand` is False when the models rule a roadblock out: the roadblock patterns'
    finds are then dropped before anything else reads them. `asks` is False when the model reads
    no question: then the rubric's question roadblocks (`questioning`) are not built either.
    """
    lex = lexicons()
    text = analyse_once(response)
    statement = client.statement
    roadblocks = find_roadblocks(text, client, lex) if patterns_stand else []
    reflective = find_reflective(text, statement, roadblocks, lex)
    off_topic = find_off_topic(text, reflective, client, lex)
    if off_topic:
        reflective = []
    if asks:
        roadblocks += questioning(text, rubric, reflective)
        roadblocks.sort(key=lambda r: r.start)
    regions = [(r.start, r.end) for r in reflective]
    feelings = [
        f for f in text.feelings if not f.negated and any_overlap((f.start, f.end), regions)
    ]
    misfit = misfit_feelings(text, client)
    if misfit:
        feelings = [f for f in feelings if not any_overlap((f.start, f.end), misfit)]
    key = check_key(text, client.key, feelings) if client.key is not None else None
    stated_families = client.stated_families
    new_feelings = [
        f
        for f in feelings
        if not (set(f.families) & stated_families)
        and not (statement is not None and stem(f.entry.split()[0]) in statement.stems)
        and not (
            statement is not None
            and text.words_in(f.start, f.end)
            and all(w.stem in statement.stems for w in text.words_in(f.start, f.end))
        )
    ]
    apt_feelings = []
    if key is not None:
        unstated = key.unstated_spans
        apt_feelings = [
            f
            for f in feelings
            if any_overlap((f.start, f.end), unstated) and not set(f.families) & stated_families
        ]
        stated_key = client.key.stated_families if client.key is not None else frozenset()
        new_feelings = [
            f for f in new_feelings if f in apt_feelings or stated_key.isdisjoint(f.families)
        ]
        for f in apt_feelings:
            if f not in new_feelings:
                new_feelings.append(f)
    questions = [i for i, s in enumerate(text.sentences) if s.is_question]
    found = Findings(
        text, statement, roadblocks, reflective, questions, feelings, new_feelings, apt_feelings
    )
    found.off_topic = off_topic
    found.misfit = misfit
    find_depth(found, lex, key)
    return found, key
