"""Operator accounts, password logins with lockout, and server-side sessions
(service.operators over the local document store).

A cheap argon2 hasher keeps the tests fast; the stored hashes are still argon2id.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from socialreferral.bootstrap import Providers
from socialreferral.domain.operators import ConsoleSettings, Principal, Role
from socialreferral.errors import AccountLocked, InvalidInput, NotAuthenticated, NotFound
from socialreferral.repositories.operators import SESSIONS, session_key
from socialreferral.service.operators import (
    PasswordAuthenticator,
    Sessions,
    create_operator,
    remove_operator,
    set_password,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RULES = ConsoleSettings(lockout_failures=3, lockout_minutes=10, session_idle_minutes=30,
                        session_max_hours=8)
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "a long enough password"


@pytest.fixture
def authenticator(providers: Providers) -> PasswordAuthenticator:
    create_operator(providers.repositories.operators, "Rita@Bank.example", ["reviewer"],
                    PASSWORD, rules=RULES, now=NOW, hasher=FAST)
    return PasswordAuthenticator(providers.repositories.operators, RULES, hasher=FAST)


def test_accounts_keep_an_argon2id_hash_only(providers: Providers,
                                            authenticator: PasswordAuthenticator) -> None:
    operator = providers.repositories.operators.get("rita@bank.example")
    assert operator is not None and operator.roles == (Role.REVIEWER,)
    assert operator.password_hash.startswith("$argon2id$")
    raw = providers.store.get("operators", "rita@bank.example").value
    assert PASSWORD not in str(raw)


@pytest.mark.parametrize(("name", "roles", "password", "field"), [
    ("ok-name", ["reviewer"], "short", "password"),
    ("ok-name", ["superuser"], PASSWORD, "role"),
    ("ok-name", [], PASSWORD, "role"),
    ("Not A Name!", ["agent"], PASSWORD, "name"),
    ("rita@bank.example", ["agent"], PASSWORD, "name"),  # taken
])
def test_bad_accounts_are_refused_by_field(providers: Providers,
                                          authenticator: PasswordAuthenticator, name: str,
                                          roles: list[str], password: str,
                                          field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_operator(providers.repositories.operators, name, roles, password, rules=RULES,
                        now=NOW, hasher=FAST)
    assert refused.value.field == field


def test_login_with_the_right_password_gives_the_principal(
        authenticator: PasswordAuthenticator) -> None:
    principal = authenticator.authenticate(" RITA@bank.example ", PASSWORD, now=NOW)
    assert principal == Principal(name="rita@bank.example", roles=(Role.REVIEWER,))


def test_wrong_and_unknown_logins_say_the_same(authenticator: PasswordAuthenticator) -> None:
    with pytest.raises(NotAuthenticated) as wrong:
        authenticator.authenticate("rita@bank.example", "not the password", now=NOW)
    with pytest.raises(NotAuthenticated) as unknown:
        authenticator.authenticate("nobody", PASSWORD, now=NOW)
    assert str(wrong.value) == str(unknown.value) == "wrong name or password"
    assert not isinstance(unknown.value, AccountLocked)


def test_repeated_failures_lock_the_account_for_a_while(
        providers: Providers, authenticator: PasswordAuthenticator) -> None:
    for _ in range(RULES.lockout_failures - 1):
        with pytest.raises(NotAuthenticated):
            authenticator.authenticate("rita@bank.example", "guess", now=NOW)
    with pytest.raises(AccountLocked) as locked:
        authenticator.authenticate("rita@bank.example", "guess", now=NOW)
    assert locked.value.retry_after == 600
    # Locked: even the right password is refused until the lockout ends.
    with pytest.raises(AccountLocked):
        authenticator.authenticate("rita@bank.example", PASSWORD,
                                   now=NOW + timedelta(minutes=9))
    principal = authenticator.authenticate("rita@bank.example", PASSWORD,
                                           now=NOW + timedelta(minutes=10))
    assert principal.name == "rita@bank.example"
    operator = providers.repositories.operators.get("rita@bank.example")
    assert operator is not None and operator.failed_logins == 0
    assert operator.locked_until is None


def test_a_success_clears_the_failure_count(providers: Providers,
                                            authenticator: PasswordAuthenticator) -> None:
    for _ in range(RULES.lockout_failures - 1):
        with pytest.raises(NotAuthenticated):
            authenticator.authenticate("rita@bank.example", "guess", now=NOW)
    authenticator.authenticate("rita@bank.example", PASSWORD, now=NOW)
    with pytest.raises(NotAuthenticated) as again:
        authenticator.authenticate("rita@bank.example", "guess", now=NOW)
    assert not isinstance(again.value, AccountLocked)


def test_weak_hashes_are_redone_at_login(providers: Providers) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)
    create_operator(providers.repositories.operators, "old", ["agent"], PASSWORD, rules=RULES,
                    now=NOW, hasher=weak)
    PasswordAuthenticator(providers.repositories.operators, RULES, hasher=FAST).authenticate(
        "old", PASSWORD, now=NOW)
    operator = providers.repositories.operators.get("old")
    assert operator is not None and not FAST.check_needs_rehash(operator.password_hash)


def test_set_password_replaces_it_and_lifts_a_lockout(
        providers: Providers, authenticator: PasswordAuthenticator) -> None:
    for _ in range(RULES.lockout_failures):
        with pytest.raises(NotAuthenticated):
            authenticator.authenticate("rita@bank.example", "guess", now=NOW)
    set_password(providers.repositories.operators, "rita@bank.example", "a new long password",
                 rules=RULES, hasher=FAST)
    authenticator.authenticate("rita@bank.example", "a new long password", now=NOW)
    with pytest.raises(NotAuthenticated):
        authenticator.authenticate("rita@bank.example", PASSWORD, now=NOW)


def test_sessions_expire_when_idle_or_old(providers: Providers,
                                          authenticator: PasswordAuthenticator) -> None:
    sessions = Sessions(providers.repositories.operators, RULES)
    principal = authenticator.authenticate("rita@bank.example", PASSWORD, now=NOW)
    session_id, session = sessions.start(principal, now=NOW)
    assert len(session.csrf_token) >= 32
    # The store keys sessions by a digest: the cookie value is nowhere in it.
    assert providers.store.find(SESSIONS, session_key(session_id)) is not None
    assert providers.store.find(SESSIONS, session_id) is None
    # Requests keep it alive...
    moment = NOW
    for _ in range(19):  # 7 h 55 min in all
        moment += timedelta(minutes=25)
        assert sessions.resume(session_id, now=moment).principal == principal
    # ...but not beyond the maximum age.
    with pytest.raises(NotAuthenticated):
        sessions.resume(session_id, now=NOW + timedelta(hours=8, minutes=1))
    other, _ = sessions.start(principal, now=NOW)
    with pytest.raises(NotAuthenticated):
        sessions.resume(other, now=NOW + timedelta(minutes=31))
    with pytest.raises(NotAuthenticated):
        sessions.resume("not-a-session", now=NOW)


def test_logout_and_account_removal_end_sessions(
        providers: Providers, authenticator: PasswordAuthenticator) -> None:
    operators = providers.repositories.operators
    sessions = Sessions(operators, RULES)
    principal = authenticator.authenticate("rita@bank.example", PASSWORD, now=NOW)
    first, _ = sessions.start(principal, now=NOW)
    second, _ = sessions.start(principal, now=NOW)
    sessions.end(first)
    with pytest.raises(NotAuthenticated):
        sessions.resume(first, now=NOW)
    assert sessions.resume(second, now=NOW).principal.name == "rita@bank.example"
    assert remove_operator(operators, "rita@bank.example") == 2  # account + session
    with pytest.raises(NotAuthenticated):
        sessions.resume(second, now=NOW)
    with pytest.raises(NotFound):
        remove_operator(operators, "rita@bank.example")


def test_a_role_change_applies_to_open_sessions(
        providers: Providers, authenticator: PasswordAuthenticator) -> None:
    operators = providers.repositories.operators
    sessions = Sessions(operators, RULES)
    principal = authenticator.authenticate("rita@bank.example", PASSWORD, now=NOW)
    session_id, _ = sessions.start(principal, now=NOW)
    operators.change("rita@bank.example",
                     lambda o: o.model_copy(update={"roles": (Role.AGENT,)}))
    assert sessions.resume(session_id, now=NOW).principal.roles == (Role.AGENT,)
