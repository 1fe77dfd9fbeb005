"""What Cercle's SCIM service publishes: the two resources it serves, with only the
attributes it stores (so that /Schemas tells a directory the truth), and its
capabilities (ServiceProviderConfig). The models are scim2-models' pydantic models:
they validate every request and serialise every response."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import EmailStr, Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    ETag,
    External,
    Filter,
    Mutability,
    Pagination,
    Patch,
    Reference,
    Required,
    Resource,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

# The most resources one page of a search returns.
MAX_RESULTS = 200
DEFAULT_PAGE_SIZE = 100


class Name(ComplexAttribute):
    formatted: str | None = None
    """The full name, as it is displayed."""

    family_name: str | None = None
    """The family name."""

    given_name: str | None = None
    """The given name."""


class Email(ComplexAttribute):
    value: Annotated[EmailStr | None, Required.true] = None
    """An email address of the person."""

    type: str | None = None
    """A label, such as "work"."""

    primary: bool | None = None
    """Whether this is the person's address in Cercle."""


class UserGroup(ComplexAttribute):
    value: Annotated[str | None, Mutability.read_only, CaseExact.true] = None
    """The identifier of a group the person belongs to."""

    ref: Annotated[Reference[Group] | None, Mutability.read_only] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The group's URL."""

    display: Annotated[str | None, Mutability.read_only] = None
    """The group's name."""


class User(Resource[Any]):
    """A person of Cercle. userName is their identifier in the directory; their
    address in Cercle is the primary email (or userName when it is an address)."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:User")

    user_name: Annotated[str | None, Required.true, Uniqueness.server] = None
    """The identifier of the person in the directory, unique, often their address."""

    name: Name | None = None
    """The person's name."""

    display_name: str | None = None
    """How the person is shown to other members."""

    emails: Annotated[list[Email] | None, Required.true] = None
    """The person's addresses: the primary one is their address in Cercle."""

    active: bool | None = None
    """False deprovisions the person; true restores them."""

    groups: Annotated[list[UserGroup] | None, Mutability.read_only] = None
    """The directory groups the person belongs to (changed through the groups)."""


class GroupMember(ComplexAttribute):
    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    """The identifier of a person in the group."""

    ref: Annotated[Reference[User] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The person's URL."""


class Group(Resource[Any]):
    """A group of the directory: its name feeds the mapping rules of sign-in."""

    __schema__ = URN("urn:ietf:params:scim:schemas:core:2.0:Group")

    display_name: Annotated[str | None, Required.true] = None
    """The name of the group, as the mapping rules name it."""

    members: list[GroupMember] | None = None
    """The people in the group."""


UserGroup.model_rebuild()

BEARER_TOKEN = AuthenticationScheme(
    type=AuthenticationScheme.Type.oauthbearertoken,
    name="Bearer token",
    description="A token made by a staff member on Cercle's provisioning page.",
    spec_uri=Reference[External]("https://www.rfc-editor.org/rfc/rfc6750"),
    primary=True,
)


def service_provider_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        patch=Patch(supported=True),
        # Not offered: bulk requests, sorting, password changes (people sign in
        # through the organisation), conditional requests with ETags.
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        pagination=Pagination(
            index=True,
            cursor=False,
            default_pagination_method=Pagination.DefaultPaginationMethod.index,
            default_page_size=DEFAULT_PAGE_SIZE,
            max_page_size=MAX_RESULTS,
        ),
        authentication_schemes=[BEARER_TOKEN],
    )


def provider() -> ScimProvider:
    # Attributes Cercle does not store (phone numbers, an enterprise extension...)
    # are ignored rather than refused: directories send them whatever /Schemas says.
    return ScimProvider(
        models=[User, Group],
        config=service_provider_config(),
        policy=ScimPolicy(unknown=ScimPolicy.Unknown.ignore),
    )
