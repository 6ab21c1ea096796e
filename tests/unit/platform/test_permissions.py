"""The permission matrix: deny by default, and roles nest as an operator expects."""

from __future__ import annotations

from omnivox.core.security.permissions import ROLE_PERMISSIONS, Permission, Role


def test_every_role_has_an_entry() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_only_platform_admins_manage_organisations() -> None:
    holders = {
        r for r, perms in ROLE_PERMISSIONS.items() if Permission.ORGANIZATIONS_MANAGE in perms
    }
    assert holders == {Role.PLATFORM_ADMIN}


def test_agents_and_reporting_cannot_administer() -> None:
    writes = {p for p in Permission if p.value.endswith(":write")}
    for role in (Role.AGENT, Role.REPORTING, Role.SUPERVISOR):
        assert not writes & ROLE_PERMISSIONS[role], role


def test_org_admin_is_a_subset_of_platform_admin() -> None:
    assert ROLE_PERMISSIONS[Role.ORG_ADMIN] < ROLE_PERMISSIONS[Role.PLATFORM_ADMIN]
