from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp

from app.accounts import MAX_PASSWORD


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
