from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from app.accounts import MAX_PASSWORD, MIN_PASSWORD

TOO_LONG_PASSWORD = _l("That password is too long.")


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email.")),
            Length(max=254, message=_l("That email is too long.")),
            Regexp(r"^[^\x00-\x1f\x7f]*$", message=_l("That email has characters it cannot have.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(max=MAX_PASSWORD, message=TOO_LONG_PASSWORD),
        ],
    )


PASSWORD_LENGTH = _l("%(min)d to %(max)d characters.", min=MIN_PASSWORD, max=MAX_PASSWORD)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Enter your current password.")),
            Length(max=MAX_PASSWORD, message=TOO_LONG_PASSWORD),
        ],
    )
    new_password = PasswordField(
        _l("New password"),
        description=PASSWORD_LENGTH,
        validators=[
            DataRequired(_l("Enter a new password.")),
            Length(
                MIN_PASSWORD,
                MAX_PASSWORD,
                # WTForms fills in min and max.
                message=_l("The new password needs %(min)d to %(max)d characters."),
            ),
        ],
    )
    repeat_password = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("new_password", message=_l("The two new passwords differ."))],
    )
