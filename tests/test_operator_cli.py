"""Making operators from the command line: `create-user --operator`, `operator grant|revoke`."""

from app.accounts import find_user


def test_create_user_with_operator_makes_an_operator(runner, app):
    args = ["create-user", "--email", "Boss@Example.com", "--password", "pw-123456", "--operator"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Created operator boss@example.com" in result.output
    assert find_user("boss@example.com").is_operator


def test_create_user_makes_a_customer_by_default(runner, app):
    result = runner.invoke(
        args=["create-user", "--email", "c@example.com", "--password", "pw-123456"]
    )
    assert result.exit_code == 0 and "Created user" in result.output
    assert not find_user("c@example.com").is_operator


def test_grant_and_revoke(runner, app, user):
    granted = runner.invoke(args=["operator", "grant", "TEST@gmail.com"])
    assert granted.exit_code == 0 and "test@gmail.com is now an operator" in granted.output
    assert find_user("test@gmail.com").is_operator
    revoked = runner.invoke(args=["operator", "revoke", "test@gmail.com"])
    assert revoked.exit_code == 0 and "no longer an operator" in revoked.output
    assert not find_user("test@gmail.com").is_operator


def test_grant_to_an_unknown_email_fails_cleanly(runner, app):
    result = runner.invoke(args=["operator", "grant", "nobody@example.com"])
    assert result.exit_code == 1
    assert "There is no account for nobody@example.com" in result.output


def test_an_unknown_action_is_refused(runner, app, user):
    result = runner.invoke(args=["operator", "promote", "test@gmail.com"])
    assert result.exit_code == 2
    assert not find_user("test@gmail.com").is_operator
