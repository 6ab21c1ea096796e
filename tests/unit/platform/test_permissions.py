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
    for role in (Role.AGENT, Role.REPORTING):
        assert not writes & ROLE_PERMISSIONS[role], role


def test_supervisors_run_campaigns_but_do_not_administer_the_organisation() -> None:
    administration = {
        Permission.USERS_WRITE,
        Permission.TEAMS_WRITE,
        Permission.SKILLS_WRITE,
        Permission.ORG_SETTINGS_WRITE,
        Permission.DISPOSITIONS_WRITE,
        Permission.BREAK_REASONS_WRITE,
        Permission.AUDIT_READ,
    }
    assert not administration & ROLE_PERMISSIONS[Role.SUPERVISOR]
    assert {Permission.CAMPAIGNS_WRITE, Permission.DNC_WRITE} <= ROLE_PERMISSIONS[Role.SUPERVISOR]


def test_org_admin_is_a_subset_of_platform_admin() -> None:
    assert ROLE_PERMISSIONS[Role.ORG_ADMIN] < ROLE_PERMISSIONS[Role.PLATFORM_ADMIN]
