"""A quiz's questions written as plain text, so that the editor needs no JavaScript.

    ? What pressure suits a loaded cargo bike's tyres?
    - 1 bar
    + 3 bar
    - 8 bar
    > Between 2.5 and 4 bar: soft enough to grip, hard enough not to pinch.

A line starting with `?` opens a question; `+` is a right choice and `-` a wrong one;
`>` lines are the explanation shown after answering. Blank lines are free. `parse`
reads it (with the line number of every mistake), `write` gives it back for editing,
and `problems` is the one list of rules that the form and the actions both apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cercle.activities.models import MAX_QUIZ_CHOICES, MAX_QUIZ_QUESTIONS, MIN_QUIZ_CHOICES

MAX_QUESTION = 500
MAX_CHOICE = 300
MAX_EXPLANATION = 5_000


@dataclass
class QuestionDraft:
    text: str
    choices: list[tuple[str, bool]] = field(default_factory=list)
    explanation: str = ""
    line: int = 0

    @property
    def right_count(self) -> int:
        return sum(1 for _label, right in self.choices if right)


class QuizTextError(ValueError):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def parse(text: str) -> list[QuestionDraft]:
    """The questions in `text`; raises QuizTextError with every mistake found."""
    questions: list[QuestionDraft] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        marker, rest = line[0], line[1:].strip()
        if marker == "?":
            questions.append(QuestionDraft(text=rest, line=number))
            if not rest:
                errors.append(
                    _("Line %(line)d: write the question after the “?”.") % {"line": number}
                )
            continue
        if marker not in "+->":
            errors.append(_("Line %(line)d: start the line with ?, +, - or >.") % {"line": number})
            continue
        if not questions:
            errors.append(
                _("Line %(line)d: start with a question, on a line beginning with “?”.")
                % {"line": number}
            )
            continue
        question = questions[-1]
        if marker == ">":
            question.explanation = f"{question.explanation}\n{rest}".strip("\n")
        elif not rest:
            errors.append(_("Line %(line)d: write the choice after the sign.") % {"line": number})
        else:
            question.choices.append((rest, marker == "+"))
    errors.extend(problems(questions))
    if errors:
        raise QuizTextError(errors)
    return questions


def problems(questions: Sequence[QuestionDraft]) -> list[str]:
    """What keeps these questions from making a quiz, for people to read."""
    found: list[str] = []
    if not questions:
        return [_("Write at least one question, on a line beginning with “?”.")]
    if len(questions) > MAX_QUIZ_QUESTIONS:
        found.append(_("A quiz has %(count)d questions at most.") % {"count": MAX_QUIZ_QUESTIONS})
    for number, question in enumerate(questions, start=1):
        where = _("Question %(number)d") % {"number": number}
        if len(question.text) > MAX_QUESTION:
            found.append(
                _("%(where)s is too long: %(count)d characters at most.")
                % {"where": where, "count": MAX_QUESTION}
            )
        if not MIN_QUIZ_CHOICES <= len(question.choices) <= MAX_QUIZ_CHOICES:
            found.append(
                _("%(where)s needs between %(min)d and %(max)d choices.")
                % {"where": where, "min": MIN_QUIZ_CHOICES, "max": MAX_QUIZ_CHOICES}
            )
        if question.right_count == 0:
            found.append(
                _("%(where)s needs at least one right choice (a line beginning with “+”).")
                % {"where": where}
            )
        labels = [label.casefold() for label, _right in question.choices]
        if len(set(labels)) != len(labels):
            found.append(_("%(where)s has the same choice twice.") % {"where": where})
        if any(len(label) > MAX_CHOICE for label in labels):
            found.append(
                _("%(where)s has a choice longer than %(count)d characters.")
                % {"where": where, "count": MAX_CHOICE}
            )
        if len(question.explanation) > MAX_EXPLANATION:
            found.append(
                _(
                    "The explanation of question %(number)d is too long: "
                    "%(count)d characters at most."
                )
                % {"number": number, "count": MAX_EXPLANATION}
            )
    return found


def write(questions: Sequence[QuestionDraft]) -> str:
    """The text that `parse` reads back into the same questions."""
    blocks = []
    for question in questions:
        lines = [f"? {question.text}"]
        lines += [f"{'+' if right else '-'} {label}" for label, right in question.choices]
        lines += [f"> {line}".rstrip() for line in question.explanation.splitlines()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
