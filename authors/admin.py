from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from diethnos.admin import SLUG_PREFILL_JS
from diethnos.content_security import RichTextAdminMixin
from diethnos.desk import DeskAdmin
from diethnos.forms import URL_FORMFIELDS, write_prose
from diethnos.images import ValidatedImageField
from diethnos.pending_uploads import PENDING_UPLOAD_FORMFIELDS, discard_used, keep_uploads

from .invitations import has_accepted, invite
from .models import LINK_FIELDS, Author


@admin.register(Author)
class AuthorAdmin(RichTextAdminMixin, DeskAdmin):
    formfield_overrides = {**URL_FORMFIELDS, ValidatedImageField: PENDING_UPLOAD_FORMFIELDS}
    list_display = ["name", "role_line", "account", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["user"]
    search_fields = ["name", "role_line", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user", "expertise"]
    actions = ["send_invitation"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "role_line", "short_bio", "bio"]}),
        ("Photo", {"fields": ["photo", "photo_alt"]}),
        ("Expertise and links", {"fields": ["expertise", *LINK_FIELDS]}),
        (
            "Account",
            {
                "fields": ["user", "is_active"],
                "description": "To let the author sign in and keep this profile up to date, "
                "give it an e-mail address, save, then use “Invite to sign in” in the list.",
            },
        ),
    ]

    # Fields of prose, spell-checked as they are typed (the bio's editor is set up in
    # static/desk/labels.js).
    PROSE_FIELDS = frozenset({"role_line", "short_bio", "photo_alt"})

    class Media:
        css = {"all": ["desk/desk-forms.css"]}
        js = SLUG_PREFILL_JS

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.PROSE_FIELDS:
            write_prose(field)
        return field

    def render_change_form(self, request, context, *args, **kwargs):
        form = context["adminform"].form
        keep_uploads(form)  # a photo chosen in a refused save is kept for the next one
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        discard_used(form)

    # Contributors may look authors up (for bylines) but not at what is private to them.
    PRIVATE_FIELDS = frozenset({"email", "show_email", "user"})

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        # The account column shows the user, a private field.
        return shown if self.sees_private_fields(request) else [f for f in shown if f != "account"]

    @admin.display(description="account")
    def account(self, author):
        if author.user is None:
            return "—"
        if not has_accepted(author.user):
            return f"{author.user.get_username()} (invited)"
        return author.user.get_username()

    @admin.action(
        description="Invite to sign in and keep their profile (e-mail with a link)",
        permissions=["change"],
    )
    def send_invitation(self, request, queryset):
        invited = []
        for author in queryset:
            try:
                invite(author, invited_by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
            else:
                invited.append(author.name)
        if invited:
            # The e-mail goes out from the task worker: say what is true now.
            self.message_user(
                request,
                f"Invitation queued for {', '.join(invited)}: the account is ready and the "
                "e-mail with the link goes out in a moment. If it does not arrive, invite "
                "again to send a new link.",
                messages.SUCCESS,
            )
