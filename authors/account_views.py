"""Contributors' own pages under /accounts/: signing in, passwords, invitations, the profile."""

from csp.decorators import csp_update
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from diethnos.content_security import EDITOR_CSP, editor_media

from . import two_factor
from .forms import ProfileForm
from .invitations import invite_token_generator
from .password_reset import send_password_reset

SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


class SignInView(auth_views.LoginView):
    """Signing in: the password, then, for an account with two-factor authentication, the
    code (authors/two_factor.py), before the account is signed in."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.has_two_factor(user):
            two_factor.begin_sign_in(self.request, user, self.get_success_url())
            return redirect("two_factor_sign_in")
        return super().form_valid(form)


class AdminSignInView(SignInView):
    """The editors' desk's own sign-in page (/admin/login/, in the admin's look), on the
    same two steps: the admin's login view would sign in with the password alone."""

    template_name = "admin/login.html"
    authentication_form = AdminAuthenticationForm
    redirect_authenticated_user = False

    def dispatch(self, request, *args, **kwargs):
        request.current_app = admin.site.name
        if request.method == "GET" and admin.site.has_permission(request):
            return redirect("admin:index")
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self):
        return reverse("admin:index")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            admin.site.each_context(self.request),
            title=gettext("Log in"),
            subtitle=None,
            app_path=self.request.get_full_path(),
            username=self.request.user.get_username(),
        )
        context[self.redirect_field_name] = context[self.redirect_field_name] or reverse(
            "admin:index"
        )
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an address and queues the reset e-mail (authors/password_reset.py): the same
    answer, after the same work, whether or not an account has that address."""

    template_name = "accounts/password_reset.html"

    def form_valid(self, form):
        send_password_reset.enqueue(form.cleaned_data["email"])
        return redirect(self.get_success_url())


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
