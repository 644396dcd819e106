"""Contributors' own pages under /accounts/: signing in, passwords, invitations, the profile."""

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache

from diethnos.content_security import EDITOR_CSP, editor_media

from .forms import ProfileForm
from .invitations import invite_token_generator

SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        # Links in e-mails point at the public address, not at whichever host was asked.
        return {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME}


class InviteAcceptView(auth_views.PasswordResetConfirmView):
    """The link of an invitation: the contributor chooses a password and is signed in."""

    template_name = "accounts/invite_accept.html"
    token_generator = invite_token_generator
    post_reset_login = True
    post_reset_login_backend = SESSION_BACKEND
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            f"Welcome. You sign in as “{form.user.get_username()}” from now on. "
            "Check your profile below: it is what readers see.",
        )
        return response


@never_cache
@login_required
@csp_update(EDITOR_CSP)
def profile(request):
    author = getattr(request.user, "author", None)
    if author is None:
        return render(request, "accounts/no_profile.html")
    form = ProfileForm(request.POST or None, request.FILES or None, instance=author)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    media = editor_media(form.media, request)
    return render(
        request, "accounts/profile.html", {"form": form, "author": author, "media": media}
    )
