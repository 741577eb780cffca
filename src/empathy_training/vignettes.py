"""The vignette library: modules of vignettes, their answer keys, risk cues and exemplars."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RiskCue:
    """A risk the client hints at, which a good response must not pass over."""

    kind: str
    """One of RISK_KINDS."""
    cue: str
    """The client's words that carry the risk."""
    acknowledged_by: tuple[str, ...] = ()
    """Words or phrases in a response that show it took the risk up."""


@dataclass(frozen=True)
class AnswerKey:
    """What matters in a vignette: what a listening response should catch, and avoid."""

    stated_feelings: tuple[str, ...]
    """Feelings the client names."""
    unstated_feelings: tuple[str, ...]
    """Plausible feelings the client does not name."""
    meanings: tuple[str, ...]
    """Plausible unstated meanings: what it means to the client, values, dilemmas."""
    key_content: tuple[str, ...]
    """Short phrases for the facts that matter in what the client said."""
    over_interpretations: tuple[str, ...] = ()
    """Readings that go too far, as phrases a response might use."""
    risk_cues: tuple[RiskCue, ...] = ()
    """Risks a response must not ignore."""
    means: tuple[str, ...] = ()
    """Access to means of harm a supervisor would ask about (e.g. stored tablets)."""
    safeguarding: tuple[str, ...] = ()
    """Safeguarding duties the vignette raises: children, adults at risk, coercive control."""
    capacity: tuple[str, ...] = ()
    """Mental capacity and liberty concerns (e.g. being locked in)."""
    self_labels: tuple[str, ...] = ()
    """The client's self-critical words ('pathetic'): never offered back as a feeling."""
    risk_factors: tuple[str, ...] = ()
    """Background that calls for a gentle risk enquiry even with no risk cue (e.g. depression)."""
    urgent_action: tuple[str, ...] = ()
    """What must be done now, beyond listening (e.g. a drowsy, feverish child to be seen)."""


@dataclass(frozen=True)
class Exemplar:
    """A sample response with its honest reflective-listening level."""

    text: str
    """The response, as a trainee might write it."""
    level: int
    """Reflective-listening level, 1 to 5."""
    note: str
    """One line: what makes it that level."""
    roadblocks: tuple[str, ...] = ()
    """Roadblock ids the response contains."""


@dataclass(frozen=True)
class Vignette:
    """A client, what they say, and the key to scoring responses to it."""

    id: str
    """Unique across the whole library."""
    title: str
    """Short title for lists."""
    setting: str
    """Where the conversation happens, e.g. primary care."""
    client: str
    """A short description of the client."""
    statement: str
    """What the client says, in their own words."""
    difficulty: str
    """One of DIFFICULTIES."""
    answer_key: AnswerKey
    """What a response should catch and avoid."""
    exemplars: tuple[Exemplar, ...]
    """Sample responses, at least one per level."""
    module_id: str = ""
    """The module this vignette belongs to."""
    nonverbal: str = ""
    """Optional nonverbal cues."""


@dataclass(frozen=True)
class Module:
    """A group of vignettes practising one skill."""

    id: str
    """Unique module id."""
    title: str
    """Title shown to trainees."""
    description: str
    """What the module practises."""
    vignettes: tuple[Vignette, ...]
    """The vignettes, in order."""
    order: int = 0
    """Position in module lists."""
    rubric: str = "reflection"
    """The rubric responses in this module are scored with."""
    source: str = ""
    """The file the module was loaded from."""


@dataclass(frozen=True)
class Library:
    """All modules, with vignettes findable by id."""

    modules: tuple[Module, ...]
    """Modules in display order."""

    def vignette(self, vignette_id: str) -> Vignette:
        """Return the vignette with this id, or raise KeyError."""
        for module in self.modules:
            for vignette in module.vignettes:
                if vignette.id == vignette_id:
                    return vignette
        raise KeyError(vignette_id)

    def rubric_for(self, vignette: Vignette) -> str:
        """The rubric of the vignette's module."""
        try:
            return self.module(vignette.module_id).rubric
        except KeyError:
            return "reflection"

    def module(self, module_id: str) -> Module:
        """Return the module with this id, or raise KeyError."""
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(module_id)

    @property
    def vignettes(self) -> tuple[Vignette, ...]:
        """Every vignette, module by module."""
        return tuple(v for m in self.modules for v in m.vignettes)
