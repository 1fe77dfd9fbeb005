"""schemathesis against the spec the live server serves: every operation of the API,
with generated requests (valid ones, and ones the spec says are not valid) sent by a
coordinator's token (a member of a community with spaces, topics, replies and a tag),
and every answer checked: no server error, a status the spec declares, a body valid
against the spec. Then the stateful phase: sequences of calls following the links
the spec declares or schemathesis infers (an id one answer gives, used by the next
call).

Nothing here names an endpoint: a router added to `cercle/api/routes/__init__.py` is
tested the moment it is merged."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.errors import NoLinksFound
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.conversations.actions import do_create_tag, do_reply, do_start_topic
from tests.api import make_token

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Few examples per operation: the whole file stays well under a minute and a half
# however many operations the API grows.
EXAMPLES = 6
STATEFUL_STEPS = 12

stateful_settings = settings(
    max_examples=3,
    stateful_step_count=STATEFUL_STEPS,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.fixture
def seeded(cargo: Community, coordinator: User, alice: User, settings: Any) -> str:
    """The cargo community with a little life in it, and the coordinator's token."""
    settings.CERCLE_API_RATE_READS = 100_000
    settings.CERCLE_API_RATE_WRITES = 100_000
    space = cargo.spaces.get(is_default=True)
    tag = do_create_tag(coordinator, cargo, name="logistics")
    question = do_start_topic(
        alice,
        space,
        kind="question",
        title="How do we plan the spring delivery rounds?",
        body="Which tools do you use?",
        tags=[tag],
    )
    do_reply(coordinator, question, body="A shared calendar, and a weekly call.")
    do_start_topic(coordinator, space, kind="discussion", title="Welcome", body="Say hello.")
    return make_token(coordinator, scopes=("read", "write", "admin"))


@pytest.fixture
def api_schema(live_server: Any, seeded: str) -> Any:
    loaded = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    loaded.config.update(base_url=live_server.url)
    return loaded


def test_every_operation_answers_as_its_spec_says(api_schema: Any, seeded: str) -> None:
    # Each operation is its own Hypothesis run (schemathesis's pytest plugin's lazy
    # loading does not work with pytest 9 yet), and every failure is reported at the end.
    failures: list[str] = []
    calls: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations
    for operation in operations:

        @given(
            case=operation.as_strategy(GenerationMode.POSITIVE)
            | operation.as_strategy(GenerationMode.NEGATIVE)
        )
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            calls.append(case.operation.label)
            case.call_and_validate(headers={"Authorization": f"Bearer {seeded}"}, checks=CHECKS)

        try:
            run()
        except Exception as failure:
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
    assert {operation.label for operation in operations} <= set(calls)


def test_sequences_of_calls_answer_as_the_spec_says(api_schema: Any, seeded: str) -> None:
    machine = api_schema.as_state_machine()

    class Workflow(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {seeded}"}}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    try:
        Workflow.run(settings=stateful_settings)
    except NoLinksFound:
        pytest.skip("no operation of the API leads to another yet")


def test_the_spec_is_served_and_names_every_error(api_schema: Any) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations
    for operation in operations:
        declared = {str(status) for status in operation.definition.raw["responses"]}
        assert {"401", "403", "429"} <= declared, (operation.label, declared)
