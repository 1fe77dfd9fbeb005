"""Claims and attributes in one shape, whatever the provider sends (cercle/sso/claims.py)."""

from __future__ import annotations

import pytest

from cercle.sso.claims import display_name_of, oidc_claims, parse_lines, saml_claims


def test_oidc_claims_merge_userinfo_and_the_id_token() -> None:
    claims = oidc_claims(
        {
            "userinfo": {"sub": "42", "groups": ["cop-agile-leads", "Staff"], "name": "Dana"},
            "id_token": {"sub": "42", "groups": ["staff", "ops"], "email_verified": True},
        }
    )
    assert claims["groups"] == ["cop-agile-leads", "Staff", "staff", "ops"]
    assert claims["name"] == ["Dana"]
    assert claims["email_verified"] == ["true"]


def test_oidc_groups_may_be_one_string_and_old_extra_data_is_flat() -> None:
    assert oidc_claims({"sub": "1", "groups": "cop-agile-leads"})["groups"] == ["cop-agile-leads"]
    assert oidc_claims({"sub": "1", "Department": "R&D"})["department"] == ["R&D"]


def test_nested_and_empty_values_are_left_out() -> None:
    claims = oidc_claims({"address": {"country": "FR"}, "groups": [], "nickname": " "})
    assert claims == {}


def test_saml_attributes_under_long_names_read_by_their_short_name() -> None:
    claims = saml_claims(
        {
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": [
                "cop-agile-leads",
                "everyone",
            ],
            "urn:oid:2.16.840.1.113730.3.1.241": ["Dana Dupont"],
            "urn:oid:2.5.4.11": ["Direction du numérique"],
            "http://schemas.example.com/claims/costCenter": ["4242"],
            "memberOf": ["cn=ops,ou=groups"],
        }
    )
    assert claims["groups"] == ["cop-agile-leads", "everyone", "cn=ops,ou=groups"]
    assert claims["department"] == ["Direction du numérique"]
    assert claims["name"] == ["Dana Dupont"]
    assert claims["costcenter"] == ["4242"]
    # The full name still matches a rule written with it.
    assert claims["http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"][0] == (
        "cop-agile-leads"
    )


def test_the_display_name_comes_from_name_or_given_and_family_names() -> None:
    assert display_name_of(saml_claims({"displayName": ["Dana Dupont"]})) == "Dana Dupont"
    assert display_name_of(oidc_claims({"given_name": "Dana", "family_name": "Dupont"})) == (
        "Dana Dupont"
    )
    assert display_name_of({}) == ""


def test_typed_claims_are_attribute_value_lines() -> None:
    assert parse_lines("groups = cop-agile-leads\n\n# a comment\ngroups=ops\ndepartment=R&D") == {
        "groups": ["cop-agile-leads", "ops"],
        "department": ["R&D"],
    }
    with pytest.raises(ValueError, match="2"):
        parse_lines("groups=a\nno equals sign here")
