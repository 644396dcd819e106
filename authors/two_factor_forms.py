"""The forms of two-factor authentication: a code from the app, a recovery code, and the
password with a code to turn it off."""

from django import forms

from .two_factor import normalise_recovery_code

# What the browser and phone keyboards need to offer a code from an authenticator app.
APP_CODE_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "pattern": "[0-9 ]*",
    "size": "8",
}


class AppCodeForm(forms.Form):
    """Six digits from the authenticator app; spaces are allowed and dropped."""

    code = forms.CharField(
        label="Code from your app",
        help_text="The six digits your authenticator app shows for this account now.",
        max_length=12,
        widget=forms.TextInput(attrs=APP_CODE_ATTRS),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the six digits your app shows.")
        return code


class RecoveryCodeForm(forms.Form):
    """One of the recovery codes given when two-factor authentication was set up."""

    recovery_code = forms.CharField(
        label="Recovery code",
        help_text="One of the codes you saved when you set up two-factor authentication. "
        "Each works once.",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_recovery_code(self):
        return normalise_recovery_code(self.cleaned_data["recovery_code"])


class TurnOffForm(forms.Form):
    """The password, and a code from the app or a recovery code; the view checks both."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="A code from your app, or a recovery code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )
