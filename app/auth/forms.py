from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from app.accounts import MAX_PASSWORD, MIN_PASSWORD


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter your email."),
            Length(max=254, message="That email is too long."),
            Regexp(r"^[^\x00-\x1f\x7f]*$", message="That email has characters it cannot have."),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password."),
            Length(max=MAX_PASSWORD, message="That password is too long."),
        ],
    )


PASSWORD_LENGTH = f"{MIN_PASSWORD} to {MAX_PASSWORD} characters."


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password."),
            Length(max=MAX_PASSWORD, message="That password is too long."),
        ],
    )
    new_password = PasswordField(
        "New password",
        description=PASSWORD_LENGTH,
        validators=[
            DataRequired("Enter a new password."),
            Length(
                MIN_PASSWORD,
                MAX_PASSWORD,
                message=f"The new password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
            ),
        ],
    )
    repeat_password = PasswordField(
        "Repeat the new password",
        validators=[EqualTo("new_password", message="The two new passwords differ.")],
    )
