"""Where scim2-server reads and writes Cercle's people and groups: its `ScimStorage`
over the Django models. scim2-server does the protocol (validation, PATCH, the
response parameters, errors); this module maps a SCIM User to `accounts.User` and a
SCIM Group to `ScimGroup`, and calls the provisioning actions (docs/scim.md)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Union, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from scim2_models import (
    InvalidValueException,
    Meta,
    NotFoundException,
    NotImplementedException,
    PreconditionFailedException,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    SearchRequest,
    UniquenessException,
)
from scim2_models import Resource as ScimResource
from scim2_models.path.expressions import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
)
from scim2_server.storage import ScimStorage, SearchPage

from cercle.accounts.models import User as Person
from cercle.scim import actions
from cercle.scim.models import ScimGroup, ScimIdentity
from cercle.scim.resources import Group, User

DISPLAY_NAME_MAX = 80

# The filters the database answers itself: an attribute compared with "eq" (the only
# filters directories send to match a person or a group). Any other filter is
# evaluated by scim2-models on every visible resource.
USER_EQ: dict[str, Callable[[str], Q]] = {
    "username": lambda v: (
        Q(scim_identity__user_name__iexact=v) | Q(scim_identity__isnull=True, email__iexact=v)
    ),
    "externalid": lambda v: Q(scim_identity__external_id=v),
    "displayname": lambda v: Q(display_name__iexact=v),
    "emails.value": lambda v: Q(email__iexact=v) | Q(emailaddress__email__iexact=v),
    "id": lambda v: Q(pk=int(v)) if v.isdigit() else Q(pk__in=[]),
}
GROUP_EQ: dict[str, Callable[[str], Q]] = {
    "displayname": lambda v: Q(display_name__iexact=v),
    "externalid": lambda v: Q(external_id=v),
    "id": lambda v: Q(pk=int(v)) if v.isdigit() else Q(pk__in=[]),
    "members.value": lambda v: Q(members__pk=int(v)) if v.isdigit() else Q(pk__in=[]),
}


def _key(attr_path: AttrPath) -> str:
    name = attr_path.attr + (f".{attr_path.sub_attr}" if attr_path.sub_attr else "")
    return name.lower()


def filter_to_q(node: FilterNode, lookups: dict[str, Callable[[str], Q]]) -> Q | None:
    """The database filter of a SCIM filter, or None when it is not one of the
    simple ones the database answers."""
    if isinstance(node, Comparison):
        if node.op != CompareOperator.eq or not isinstance(node.value, str):
            return None
        lookup = lookups.get(_key(node.attr_path))
        return lookup(node.value) if lookup is not None else None
    if isinstance(node, LogicalExpr):
        parts = [filter_to_q(term, lookups) for term in node.terms]
        if any(part is None for part in parts):
            return None
        combined = cast(Q, parts[0])
        for part in parts[1:]:
            combined = (
                combined & cast(Q, part)
                if node.op == LogicalOperator.and_
                else combined | cast(Q, part)
            )
        return combined
    return None


def _version(body: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f'W/"{digest[:20]}"'


def _pk(resource_id: str) -> int:
    if not resource_id.isdigit():
        raise NotFoundException(detail=f"Resource {resource_id} not found")
    return int(resource_id)


def _meta(resource_type: str, created: datetime, modified: datetime, body: dict[str, Any]) -> Meta:
    return Meta(
        resource_type=resource_type,
        created=created,
        last_modified=modified,
        version=_version(body),
    )


# -- People ---------------------------------------------------------------------


def visible_people() -> QuerySet[Person]:
    """The people the directory sees: everyone active (so that it can match an
    account made before provisioning), and everyone it provisioned. A person it
    deleted (deactivated and detached) is no longer seen."""
    return (
        get_user_model()
        .objects.filter(Q(is_active=True) | Q(scim_identity__isnull=False))
        .select_related("scim_identity")
        .prefetch_related(
            Prefetch("scim_groups", queryset=ScimGroup.objects.order_by("display_name", "pk"))
        )
        .distinct()
        .order_by("pk")
    )


def _identity(person: Person) -> ScimIdentity | None:
    try:
        return person.scim_identity
    except ScimIdentity.DoesNotExist:
        return None


def user_body(person: Person) -> dict[str, Any]:
    identity = _identity(person)
    if identity is not None:
        body: dict[str, Any] = dict(identity.document)
        body["userName"] = identity.user_name
        if identity.external_id:
            body["externalId"] = identity.external_id
    else:
        # A person the directory never wrote: how Cercle knows them.
        body = {
            "userName": person.email,
            "displayName": person.display_name,
            "emails": [{"value": person.email, "primary": True}],
        }
    body["id"] = str(person.pk)
    # "active" is answered once the directory set it (a person it never set it for,
    # or removed it from, is active when their account is).
    if identity is None or "active" in identity.document or not person.is_active:
        body["active"] = person.is_active
    groups = [
        {"value": str(group.pk), "$ref": f"Groups/{group.pk}", "display": group.display_name}
        for group in person.scim_groups.all()
    ]
    if groups:
        body["groups"] = groups
    return body


def user_resource(person: Person) -> User:
    body = user_body(person)
    identity = _identity(person)
    resource = User.model_validate(body)
    resource.meta = _meta(
        "User",
        identity.created_at if identity else person.date_joined,
        identity.updated_at if identity else person.date_joined,
        body,
    )
    return resource


def _primary_address(resource: User) -> str:
    emails = resource.emails or []
    chosen = next((e for e in emails if e.primary and e.value), None) or next(
        (e for e in emails if e.value), None
    )
    if chosen is not None:
        return str(chosen.value).strip()
    user_name = (resource.user_name or "").strip()
    try:
        validate_email(user_name)
    except DjangoValidationError:
        raise InvalidValueException(
            detail="Cercle needs an email address: send emails, or a userName that is one"
        ) from None
    return user_name


def _display_name(resource: User, address: str) -> str:
    name = resource.name
    given = " ".join(
        part
        for part in ((name.given_name if name else None), (name.family_name if name else None))
        if part
    )
    chosen = (
        (resource.display_name or "").strip()
        or ((name.formatted or "").strip() if name else "")
        or given.strip()
        or address.split("@", maxsplit=1)[0]
    )
    return chosen[:DISPLAY_NAME_MAX]


def _document(resource: User) -> dict[str, Any]:
    body = resource.model_dump(mode="json", by_alias=True, exclude_none=True)
    for key in ("schemas", "id", "meta", "groups", "userName", "externalId"):
        body.pop(key, None)
    return body


def _check_user_unique(resource: User, address: str, person_pk: int | None) -> None:
    people = (
        get_user_model().objects.exclude(pk=person_pk) if person_pk else get_user_model().objects
    )
    identities = (
        ScimIdentity.objects.exclude(person_id=person_pk) if person_pk else ScimIdentity.objects
    )
    user_name = resource.user_name or ""
    if (
        identities.filter(user_name__iexact=user_name).exists()
        or people.filter(
            scim_identity__isnull=True, is_active=True, email__iexact=user_name
        ).exists()
    ):
        raise UniquenessException(detail=f"userName {user_name} is already taken")
    if resource.external_id and identities.filter(external_id=resource.external_id).exists():
        raise UniquenessException(detail=f"externalId {resource.external_id} is already taken")
    if people.filter(
        Q(email__iexact=address) & (Q(is_active=True) | Q(scim_identity__isnull=False))
    ).exists():
        raise UniquenessException(detail=f"A person with the address {address} already exists")


def create_person(resource: User) -> Person:
    address = _primary_address(resource)
    with transaction.atomic():
        _check_user_unique(resource, address, None)
        # A person the directory deleted earlier (deactivated, detached) comes back.
        person = (
            get_user_model()
            .objects.filter(email__iexact=address, is_active=False, scim_identity__isnull=True)
            .first()
        )
        operation = "create"
        if person is None:
            person = get_user_model().objects.create_user(
                email=address,
                password=None,
                display_name=_display_name(resource, address),
                organisation_provider=actions.PROVIDER_ID,
            )
        else:
            operation = "recreate"
            person.display_name = _display_name(resource, address)
            person.organisation_provider = person.organisation_provider or actions.PROVIDER_ID
            person.save(update_fields=["display_name", "organisation_provider"])
        actions.set_primary_address(person, address)
        ScimIdentity.objects.create(
            person=person,
            user_name=resource.user_name or address,
            external_id=resource.external_id or None,
            document=_document(resource),
        )
        actions.record_provisioning(person, operation=operation, resource="User")
        active = resource.active is not False
        if active and not person.is_active:
            actions.reactivate_person(person, by=None, reason="scim")
        elif not active and person.is_active:
            actions.deactivate_person(person, by=None, reason="scim")
    return person


def update_person(person: Person, resource: User) -> Person:
    address = _primary_address(resource)
    with transaction.atomic():
        _check_user_unique(resource, address, person.pk)
        identity = _identity(person) or ScimIdentity(person=person)
        identity.user_name = resource.user_name or address
        identity.external_id = resource.external_id or None
        identity.document = _document(resource)
        identity.save()
        changed = []
        if person.email.lower() != address.lower():
            person.email = address
            changed.append("email")
        display_name = _display_name(resource, address)
        if person.display_name != display_name:
            person.display_name = display_name
            changed.append("display_name")
        if not person.organisation_provider:
            person.organisation_provider = actions.PROVIDER_ID
            changed.append("organisation_provider")
        if changed:
            person.save(update_fields=changed)
        if "email" in changed:
            actions.set_primary_address(person, address)
        actions.record_provisioning(person, operation="update", resource="User", changed=changed)
        active = resource.active is not False
        if active and not person.is_active:
            actions.reactivate_person(person, by=None, reason="scim")
            # The groups' rules apply again (they were skipped while inactive).
            actions.apply_group_mapping([get_user_model().objects.get(pk=person.pk)])
        elif not active and person.is_active:
            actions.deactivate_person(person, by=None, reason="scim")
    return person


def delete_person(person: Person) -> None:
    """DELETE deactivates the person and detaches them from the directory: their
    account and content stay (a staff member may erase them), the directory no longer
    sees them, and their directory groups no longer apply."""
    with transaction.atomic():
        groups = list(person.scim_groups.all())
        for group in groups:
            group.members.remove(person)
        if person.is_active:
            actions.deactivate_person(person, by=None, reason="scim delete")
        ScimIdentity.objects.filter(person=person).delete()
        actions.record_provisioning(person, operation="delete", resource="User")


# -- Groups ----------------------------------------------------------------------


def visible_groups() -> QuerySet[ScimGroup]:
    return ScimGroup.objects.prefetch_related(
        Prefetch("members", queryset=get_user_model().objects.order_by("pk").only("pk"))
    ).order_by("pk")


def group_body(group: ScimGroup) -> dict[str, Any]:
    body: dict[str, Any] = {"id": str(group.pk), "displayName": group.display_name}
    if group.external_id:
        body["externalId"] = group.external_id
    members = [{"value": str(p.pk), "$ref": f"Users/{p.pk}"} for p in group.members.all()]
    if members:
        body["members"] = members
    return body


def group_resource(group: ScimGroup) -> Group:
    body = group_body(group)
    resource = Group.model_validate(body)
    resource.meta = _meta("Group", group.created_at, group.updated_at, body)
    return resource


def _member_people(resource: Group) -> list[Person]:
    ids = []
    for member in resource.members or []:
        value = member.value or (
            str(member.ref).rstrip("/").rsplit("/", 1)[-1] if member.ref else ""
        )
        if not value or not value.isdigit():
            raise InvalidValueException(detail=f"Unknown member {value!r}")
        ids.append(int(value))
    people = list(visible_people().filter(pk__in=ids))
    if len({p.pk for p in people}) != len(set(ids)):
        missing = sorted(set(ids) - {p.pk for p in people})
        raise InvalidValueException(detail=f"Unknown members: {missing}")
    return people


def _check_group_unique(resource: Group, group_pk: int | None) -> None:
    groups = ScimGroup.objects.exclude(pk=group_pk) if group_pk else ScimGroup.objects
    if resource.external_id and groups.filter(external_id=resource.external_id).exists():
        raise UniquenessException(detail=f"externalId {resource.external_id} is already taken")


def save_group(group: ScimGroup | None, resource: Group) -> ScimGroup:
    with transaction.atomic():
        _check_group_unique(resource, group.pk if group else None)
        people = _member_people(resource)
        operation = "create" if group is None else "update"
        if group is None:
            group = ScimGroup()
        before = set(group.members.values_list("pk", flat=True)) if group.pk else set()
        old_name = group.display_name
        group.display_name = (resource.display_name or "").strip()[:200]
        group.external_id = resource.external_id or None
        if not group.display_name:
            raise InvalidValueException(detail="displayName is required")
        group.save()
        group.members.set(people)
        after = {p.pk for p in people}
        affected = after ^ before if old_name == group.display_name else after | before
        actions.record_provisioning(
            None,
            operation=operation,
            resource="Group",
            name=group.display_name,
            group=group.pk,
            added=sorted(after - before),
            removed=sorted(before - after),
        )
        actions.apply_group_mapping(get_user_model().objects.filter(pk__in=affected))
    return group


def delete_group(group: ScimGroup) -> None:
    with transaction.atomic():
        affected = list(group.members.all())
        actions.record_provisioning(
            None, operation="delete", resource="Group", name=group.display_name, group=group.pk
        )
        group.delete()
        actions.apply_group_mapping(affected)


# -- The storage -----------------------------------------------------------------


class CercleStorage(ScimStorage):
    """scim2-server's storage over Cercle's models (one resource type at a time)."""

    def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> ScimResource[Any]:
        if resource_type.name == "User":
            person = visible_people().filter(pk=_pk(resource_id)).first()
            if person is None:
                raise NotFoundException(detail=f"User {resource_id} not found")
            return user_resource(person)
        group = visible_groups().filter(pk=_pk(resource_id)).first()
        if group is None:
            raise NotFoundException(detail=f"Group {resource_id} not found")
        return group_resource(group)

    def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        if len(resource_types) != 1:
            raise NotImplementedException(detail="Search one resource type at a time")
        is_user = resource_types[0].name == "User"
        queryset: QuerySet[Any] = visible_people() if is_user else visible_groups()
        convert: Callable[[Any], ScimResource[Any]] = user_resource if is_user else group_resource
        start = max((search_request.start_index or 1) - 1, 0)
        count = search_request.count
        scim_filter = search_request.filter
        if scim_filter is not None:
            q = filter_to_q(scim_filter.ast, USER_EQ if is_user else GROUP_EQ)
            if q is None:
                # A filter the database does not answer: scim2-models evaluates it.
                model = User if is_user else Group
                bound = ScimFilter[Union[model]](str(scim_filter))  # type: ignore[valid-type]  # noqa: UP007
                found = [r for r in map(convert, queryset) if bound.match(r)]
                end = None if count is None else start + count
                return SearchPage(total=len(found), resources=found[start:end])
            queryset = queryset.filter(q)
        total = queryset.count()
        if count == 0:
            return SearchPage(total=total, resources=[])
        page = queryset[start : start + count] if count is not None else queryset[start:]
        return SearchPage(total=total, resources=[convert(item) for item in page])

    def create(self, resource_type: ResourceType, resource: ScimResource[Any]) -> ScimResource[Any]:
        if isinstance(resource, User):
            person = create_person(resource)
            return user_resource(visible_people().get(pk=person.pk))
        group = save_group(None, cast(Group, resource))
        return group_resource(visible_groups().get(pk=group.pk))

    def _check_version(self, current: ScimResource[Any], expected: str | None) -> None:
        if expected is not None and current.meta is not None and current.meta.version != expected:
            raise PreconditionFailedException(detail="The resource changed meanwhile")

    def update(
        self,
        resource_type: ResourceType,
        resource: ScimResource[Any],
        *,
        expected_version: str | None = None,
    ) -> ScimResource[Any]:
        resource_id = resource.id or ""
        if isinstance(resource, User):
            person = visible_people().filter(pk=_pk(resource_id)).first()
            if person is None:
                raise NotFoundException(detail=f"User {resource_id} not found")
            self._check_version(user_resource(person), expected_version)
            update_person(person, resource)
            return user_resource(visible_people().get(pk=person.pk))
        group = visible_groups().filter(pk=_pk(resource_id)).first()
        if group is None:
            raise NotFoundException(detail=f"Group {resource_id} not found")
        self._check_version(group_resource(group), expected_version)
        save_group(group, cast(Group, resource))
        return group_resource(visible_groups().get(pk=group.pk))

    def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        if resource_type.name == "User":
            person = visible_people().filter(pk=_pk(resource_id)).first()
            if person is None:
                raise NotFoundException(detail=f"User {resource_id} not found")
            delete_person(person)
            return
        group = ScimGroup.objects.filter(pk=_pk(resource_id)).first()
        if group is None:
            raise NotFoundException(detail=f"Group {resource_id} not found")
        delete_group(group)

    def operation(self) -> Any:
        # One request, one transaction: a refused change leaves nothing written.
        return transaction.atomic()
