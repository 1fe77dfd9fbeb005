"""Hooks: the lower apps announce, the higher ones register (docs/architecture.md, "Hooks").

What each receiver does is tested with its app (welcomes in test_onboarding, notices in
test_notifications, publishing in test_animation...); here: the mechanism, that every
seam is wired, and that the lower apps no longer import the higher ones.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from cercle.accounts import hooks as account_hooks
from cercle.accounts.models import User
from cercle.animation import planning
from cercle.animation.models import Plannable
from cercle.communities import hooks as community_hooks
from cercle.communities.models import Community, Membership
from cercle.conversations import hooks as conversation_hooks
from cercle.hooks import Hook
from cercle.membership import actions as community_actions
from cercle.notifications import digest
from cercle.notifications.models import Kind, Notification
from cercle.onboarding.models import WelcomeSent
from tests.communities import community
from tests.conftest import make_person

CERCLE = Path(__file__).resolve().parent.parent / "cercle"

# The apps of each layer above the core (docs/architecture.md, "Layers").
FEATURES = {
    "knowledge", "wiki", "animation", "activities", "contests", "events", "personas",
    "ideas", "onboarding", "badges",
}  # fmt: skip
TOP = {"api", "analytics", "nextactions", "value", "importers", "simulation"}


def test_a_hook_calls_its_receivers_in_order_once_each_and_returns_their_answers() -> None:
    heard: list[str] = []
    hook: Hook[[str], int] = Hook("said")

    def first(word: str) -> int:
        heard.append(f"first {word}")
        return 1

    def second(word: str) -> int:
        heard.append(f"second {word}")
        return 2

    hook.register(first)
    hook.register(second)
    hook.register(first)  # again: nothing changes
    assert hook("hello") == [1, 2]
    assert heard == ["first hello", "second hello"]
    hook.unregister(first)
    assert hook("again") == [2]
    assert hook.receivers == (second,)


@pytest.fixture
def failing_welcome() -> Iterator[None]:
    def refuse(membership: Membership) -> None:
        raise RuntimeError("the welcome could not be written")

    community_hooks.member_joined.register(refuse)
    yield
    community_hooks.member_joined.unregister(refuse)


@pytest.mark.django_db
@pytest.mark.usefixtures("failing_welcome")
def test_member_joined_runs_inside_the_joining_transaction(coordinator: User) -> None:
    cargo = community(coordinator)
    newcomer = make_person("nina@example.org", "Nina Newcomer")
    with pytest.raises(RuntimeError):
        community_actions.do_join(newcomer, cargo)
    # The receiver failed: the membership, and the welcome registered before it, are gone.
    assert not Membership.objects.filter(person=newcomer).exists()
    assert not WelcomeSent.objects.filter(person=newcomer).exists()
    assert not Notification.objects.filter(recipient=newcomer).exists()


@pytest.mark.django_db
def test_joining_an_open_community_reaches_onboarding_through_the_hook(
    coordinator: User,
) -> None:
    cargo: Community = community(coordinator)
    newcomer = make_person("nina@example.org", "Nina Newcomer")
    community_actions.do_join(newcomer, cargo)
    assert WelcomeSent.objects.filter(person=newcomer, community=cargo).count() == 1
    kinds = Notification.objects.filter(recipient=newcomer).values_list("kind", flat=True)
    assert list(kinds) == [Kind.WELCOME]


def test_every_seam_has_its_receivers() -> None:
    def names(hook: Hook[..., Any]) -> set[str]:
        return {f"{r.__module__}.{r.__qualname__}" for r in hook.receivers}

    assert names(community_hooks.member_joined) == {"cercle.onboarding.actions.welcome_newcomer"}
    assert names(community_hooks.request_decided) == {
        "cercle.notifications.actions.notify_membership_decision"
    }
    assert names(community_hooks.invited) == {"cercle.notifications.actions.notify_invitation"}
    assert names(conversation_hooks.topic_started) == {
        "cercle.notifications.actions.notify_topic_started"
    }
    assert names(conversation_hooks.replied) == {"cercle.notifications.actions.notify_reply"}
    assert names(conversation_hooks.post_edited) == {
        "cercle.notifications.actions.notify_new_mentions"
    }
    assert names(conversation_hooks.answer_accepted) == {
        "cercle.notifications.actions.notify_answer_accepted"
    }
    assert names(conversation_hooks.post_as_choices) == {"cercle.personas.queries.speakable"}
    assert names(conversation_hooks.post_changed) == {"cercle.search.conversations.index_post"}
    assert names(conversation_hooks.post_deleted) == {"cercle.search.conversations.hide_post"}
    assert names(conversation_hooks.topic_merged_away) == {
        "cercle.search.conversations.remove_topic"
    }
    assert list(digest.SECTIONS) == ["library", "wiki", "events"]
    assert names(account_hooks.password_sign_in_refusal) == {"cercle.sso.domains.password_refusal"}


def test_every_plannable_model_is_registered_with_its_publisher() -> None:
    plannable = {
        model
        for model in apps.get_models()
        if issubclass(model, Plannable) and not model._meta.abstract
    }
    assert set(planning.kinds()) == plannable
    publishers = {
        kind: getattr(registration.on_publish, "__qualname__", None)
        for kind, registration in planning.REGISTRY.items()
    }
    assert publishers == {
        "post": "publish_post",
        "poll": "announce",
        "quiz": "announce",
        "challenge": "announce",
        "contest": None,
        "event": "open_discussion",
    }


def runtime_imports(app: str) -> dict[str, set[str]]:
    """The other cercle apps each module of `app` imports when it runs (in functions
    too), leaving out what only the type checker reads (`if TYPE_CHECKING:`)."""
    found: dict[str, set[str]] = {}
    for path in sorted((CERCLE / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        type_only = {
            id(node)
            for branch in ast.walk(tree)
            if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
            for node in ast.walk(branch)
        }
        for node in ast.walk(tree):
            if id(node) in type_only:
                continue
            modules: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = (
                    [f"cercle.{alias.name}" for alias in node.names]
                    if node.module == "cercle"
                    else [node.module]
                )
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                parts = module.split(".")
                if parts[0] == "cercle" and len(parts) > 1 and parts[1] != app:
                    found.setdefault(parts[1], set()).add(str(path.relative_to(CERCLE)))
    return found


@pytest.mark.parametrize(
    ("app", "above"),
    [
        ("communities", {"conversations", "people", "search", "notifications"}),
        ("conversations", {"notifications"}),
        ("people", {"notifications"}),
        ("search", {"notifications"}),
        ("notifications", set()),
    ],
)
def test_the_core_apps_import_no_app_above_them(app: str, above: set[str]) -> None:
    imported = runtime_imports(app)
    wrong = {
        name: sorted(where) for name, where in imported.items() if name in above | FEATURES | TOP
    }
    assert wrong == {}
