from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from app.accounts import MAX_PASSWORD, MIN_PASSWORD

# WTForms fills in min and max.
NEW_PASSWORD_LENGTH = _l("The new password needs %(min)d to %(max)d characters.")


def known_password(label, missing) -> PasswordField:
    """A password the user has already: required, and no longer than a new one may be."""
    too_long = Length(max=MAX_PASSWORD, message=_l("That password is too long."))
    return PasswordField(label, validators=[DataRequired(missing), too_long])


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email.")),
            Length(max=254, message=_l("That email is too long.")),
            Regexp(r"^[^\x00-\x1f\x7f]*$", message=_l("That email has characters it cannot have.")),
        ],
    )
    password = known_password(_l("Password"), _l("Enter your password."))


class ChangePasswordForm(FlaskForm):
    current_password = known_password(_l("Current password"), _l("Enter your current password."))
    new_password = PasswordField(
        _l("New password"),
        description=_l("%(min)d to %(max)d characters.", min=MIN_PASSWORD, max=MAX_PASSWORD),
        validators=[
            DataRequired(_l("Enter a new password.")),
            Length(MIN_PASSWORD, MAX_PASSWORD, NEW_PASSWORD_LENGTH),
        ],
    )
    repeat_password = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("new_password", message=_l("The two new passwords differ."))],
    )


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        description=_l("Where it will be used, e.g. “Online shop”."),
        validators=[
            DataRequired(_l("Name the token.")),
            Length(max=100, message=_l("At most 100 characters.")),
        ],
    )
    scope = SelectField(
        _l("Access"),
        choices=[
            SelectChoice("read", _l("Read only")),
            SelectChoice("read write", _l("Read and write")),
        ],
        default="read",
    )
    expires = SelectField(
        _l("Expires"),
        choices=[
            SelectChoice("", _l("Never")),
            SelectChoice("30", _l("In 30 days")),
            SelectChoice("90", _l("In 90 days")),
            SelectChoice("365", _l("In a year")),
        ],
        default="90",
    )
