"""Forms for polls, quizzes and challenges; they only read and shape input, the actions
decide and validate again. Moments are typed in the community's time zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cercle.activities import quiztext
from cercle.activities.actions import (
    ChallengeFields,
    PollFields,
    QuizFields,
    clean_poll_choices,
)
from cercle.activities.models import (
    MAX_POLL_CHOICES,
    AnswerOrder,
    Challenge,
    Closable,
    Poll,
    Quiz,
    ResultsShown,
)
from cercle.communities.models import Community, Space
from cercle.errors import ActionRefused

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
INPUT_FORMATS = [LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=LOCAL_FORMAT)


class LocalDateTimeField(forms.DateTimeField):
    """A moment typed on the community's clock (`zone`), whatever the server's or the
    browser's; it comes back as an aware datetime and is shown again on that clock."""

    widget = LocalDateTimeInput

    def __init__(self, **kwargs: Any) -> None:
        self.zone: tzinfo = UTC
        super().__init__(input_formats=INPUT_FORMATS, **kwargs)

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=self.zone)
        text = str(value).strip()
        for pattern in INPUT_FORMATS:
            try:
                naive = datetime.strptime(text, pattern)  # noqa: DTZ007 - the zone follows
            except ValueError:
                continue
            return naive.replace(tzinfo=self.zone)
        raise ValidationError(_("Enter a date and a time."), code="invalid")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(self.zone).replace(tzinfo=None)
        return value


def _zone_help(community: Community) -> str:
    return str(_("In the community's time zone (%(zone)s).") % {"zone": community.time_zone})


class ActivityForm(forms.Form):
    """What the three creation forms share: the space, the title and the moment."""

    space = forms.ModelChoiceField(queryset=Space.objects.none(), label=_("Space"))
    title = forms.CharField(label=_("Title"), max_length=200)
    publish_at = LocalDateTimeField(label=_("Publish at"), required=False)

    def __init__(
        self, *args: Any, community: Community, spaces: Sequence[Space], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        space_field = self.fields["space"]
        assert isinstance(space_field, forms.ModelChoiceField)  # noqa: S101 - declared above
        space_field.queryset = Space.objects.filter(pk__in=[space.pk for space in spaces])
        space_field.empty_label = None
        for name, item in self.fields.items():
            if isinstance(item, LocalDateTimeField):
                item.zone = community.zone
                zone_help = _zone_help(community)
                if name == "publish_at":
                    item.help_text = f"{_('Leave empty to publish at once.')} {zone_help}"
                else:
                    item.help_text = zone_help


class PollForm(ActivityForm):
    title = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional context; Markdown works."),
    )
    choices = forms.CharField(
        label=_("Choices"),
        widget=forms.Textarea(attrs={"rows": 6}),
        # format_lazy: formatting here, at import, would freeze the text in English.
        help_text=format_lazy(_("One choice per line, from 2 to {count}."), count=MAX_POLL_CHOICES),
    )
    multiple = forms.BooleanField(label=_("Members may pick several choices"), required=False)
    max_choices = forms.IntegerField(
        label=_("Most choices per member"),
        required=False,
        min_value=2,
        max_value=MAX_POLL_CHOICES,
        help_text=_("With several choices: leave empty for no limit."),
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous: nobody, animators included, sees who voted for what"),
        required=False,
        initial=True,
    )
    results_shown = forms.ChoiceField(
        label=_("Results are shown"),
        choices=ResultsShown.choices,
        initial=ResultsShown.AFTER_VOTING,
        widget=forms.RadioSelect,
    )
    closes_at = LocalDateTimeField(label=_("Closes at"), required=False)

    field_order = (
        "space",
        "title",
        "description",
        "choices",
        "multiple",
        "max_choices",
        "anonymous",
        "results_shown",
        "closes_at",
        "publish_at",
    )

    def clean_choices(self) -> list[str]:
        try:
            return clean_poll_choices(self.cleaned_data["choices"].splitlines())
        except ActionRefused as refusal:
            raise ValidationError(refusal.message) from refusal

    def fields_for_action(self) -> PollFields:
        data = self.cleaned_data
        return PollFields(
            title=data["title"],
            choices=data["choices"],
            description=data["description"],
            multiple=data["multiple"],
            max_choices=data["max_choices"],
            anonymous=data["anonymous"],
            results_shown=data["results_shown"],
            closes_at=data["closes_at"],
            publish_at=data["publish_at"],
        )

    @staticmethod
    def initial_from(poll: Poll) -> dict[str, Any]:
        return {
            "space": poll.space_id,
            "title": poll.title,
            "description": poll.description,
            "choices": "\n".join(choice.label for choice in poll.choices.all()),
            "multiple": poll.multiple,
            "max_choices": poll.max_choices,
            "anonymous": poll.anonymous,
            "results_shown": poll.results_shown,
            "closes_at": poll.closes_at,
            "publish_at": poll.publish_at,
        }


QUIZ_HELP = _(
    "One question per block: a line starting with “?” asks the question, lines starting "
    "with “+” are right choices and “-” wrong ones (2 to 10 choices, at least one "
    "right), and lines starting with “>” explain the answer. A question with several "
    "right choices counts as right only when exactly those are picked."
)
QUIZ_PLACEHOLDER = _(
    "? What pressure suits a loaded cargo bike's tyres?\n- 1 bar\n+ 3 bar\n- 8 bar\n"
    "> Soft enough to grip, hard enough not to pinch."
)


class QuizForm(ActivityForm):
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional introduction; Markdown works."),
    )
    questions = forms.CharField(
        label=_("Questions"),
        widget=forms.Textarea(attrs={"rows": 14, "placeholder": QUIZ_PLACEHOLDER}),
        help_text=QUIZ_HELP,
    )
    leaderboard = forms.BooleanField(
        label=_("Show a leaderboard (score, then who answered first)"), required=False
    )
    closes_at = LocalDateTimeField(label=_("Closes at"), required=False)

    field_order = (
        "space",
        "title",
        "description",
        "questions",
        "leaderboard",
        "closes_at",
        "publish_at",
    )

    def clean_questions(self) -> list[quiztext.QuestionDraft]:
        try:
            return quiztext.parse(self.cleaned_data["questions"])
        except quiztext.QuizTextError as error:
            raise ValidationError(error.messages) from error

    def fields_for_action(self) -> QuizFields:
        data = self.cleaned_data
        return QuizFields(
            title=data["title"],
            questions=data["questions"],
            description=data["description"],
            leaderboard=data["leaderboard"],
            closes_at=data["closes_at"],
            publish_at=data["publish_at"],
        )

    @staticmethod
    def initial_from(quiz: Quiz) -> dict[str, Any]:
        drafts = [
            quiztext.QuestionDraft(
                text=question.text,
                choices=[(choice.label, choice.is_right) for choice in question.choices.all()],
                explanation=question.explanation,
            )
            for question in quiz.questions.prefetch_related("choices")
        ]
        return {
            "space": quiz.space_id,
            "title": quiz.title,
            "description": quiz.description,
            "questions": quiztext.write(drafts),
            "leaderboard": quiz.leaderboard,
            "closes_at": quiz.closes_at,
            "publish_at": quiz.publish_at,
        }


class ChallengeForm(ActivityForm):
    description = forms.CharField(
        label=_("Prompt"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What members should share, for example “your best tip on X”; Markdown works."),
    )
    deadline = LocalDateTimeField(label=_("Deadline"))
    answer_order = forms.ChoiceField(
        label=_("Answers are listed"),
        choices=AnswerOrder.choices,
        initial=AnswerOrder.OLDEST,
        widget=forms.RadioSelect,
    )

    field_order = ("space", "title", "description", "deadline", "answer_order", "publish_at")

    def fields_for_action(self) -> ChallengeFields:
        data = self.cleaned_data
        return ChallengeFields(
            title=data["title"],
            prompt=data["description"],
            deadline=data["deadline"],
            answer_order=data["answer_order"],
            publish_at=data["publish_at"],
        )

    @staticmethod
    def initial_from(challenge: Challenge) -> dict[str, Any]:
        return {
            "space": challenge.space_id,
            "title": challenge.title,
            "description": challenge.description,
            "deadline": challenge.deadline,
            "answer_order": challenge.answer_order,
            "publish_at": challenge.publish_at,
        }


class AmendForm(forms.Form):
    """What may change once an activity is published."""

    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown works."),
    )
    closes = LocalDateTimeField(label=_("Closes at"), required=False)
    leaderboard = forms.BooleanField(
        label=_("Show a leaderboard (score, then who answered first)"), required=False
    )

    def __init__(self, *args: Any, item: Closable, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "description": item.description,
                "closes": item.closing_moment(),
                "leaderboard": getattr(item, "leaderboard", False),
            },
        )
        super().__init__(*args, **kwargs)
        closes = self.fields["closes"]
        assert isinstance(closes, LocalDateTimeField)  # noqa: S101 - declared above
        closes.zone = item.community.zone
        closes.help_text = f"{_('A past moment closes it now.')} {_zone_help(item.community)}"
        if isinstance(item, Challenge):
            self.fields["description"].label = _("Prompt")
            self.fields["description"].required = True
            closes.label = _("Deadline")
            closes.required = True
        if not isinstance(item, Quiz):
            del self.fields["leaderboard"]


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown works. You may change it until the deadline."),
    )
