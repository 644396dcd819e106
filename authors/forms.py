from django import forms

from diethnos.forms import formfield
from diethnos.images import ImageInput

from .models import LINK_FIELDS, Author


class ProfileForm(forms.ModelForm):
    """What contributors keep up themselves on their public author page."""

    class Meta:
        model = Author
        formfield_callback = formfield
        fields = [
            "name",
            "role_line",
            "short_bio",
            "bio",
            "photo",
            "photo_alt",
            "expertise",
            *LINK_FIELDS,
        ]
        labels = {
            "short_bio": "Short bio",
            "bio": "Longer bio",
            "expertise": "Topics you cover",
        }
        help_texts = {
            "name": "As it appears in bylines.",
            "bio": "Shown on your author page. Bold, italics, links and lists.",
            "photo": "A JPEG, PNG or WebP portrait, at least 400 pixels square works best.",
            "photo_alt": 'What the photo shows, for readers who cannot see it: "Nikolas '
            'Papadopoulos, smiling, in front of a bookcase". A new photo needs a new '
            "description.",
            "email": "Editors write to you here. It is shown on your page only if you tick the "
            "box below.",
            "x": "The full address, e.g. https://x.com/yourname.",
            "bluesky": "The full address, e.g. https://bsky.app/profile/you.bsky.social.",
            "linkedin": "The full address, e.g. https://www.linkedin.com/in/yourname.",
        }
        widgets = {
            "short_bio": forms.Textarea(attrs={"rows": 4, "maxlength": 600}),
            "photo": ImageInput(noun="photo", alt_field="photo_alt"),
            "expertise": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The script that previews a new photo empties its description: it names the old one.
        self.fields["photo"].widget.alt_input = self["photo_alt"].auto_id
