"""The languages a report can be written in, and how PostgreSQL reads each.

Each entry is an ISO 639-1 code, its English name and the PostgreSQL text search
configuration that stems its words (``simple`` where PostgreSQL 15 has no stemmer).
"""

LANGUAGES = [
    ("en", "English", "english"),
    ("el", "Greek", "greek"),
    ("fr", "French", "french"),
    ("de", "German", "german"),
    ("es", "Spanish", "spanish"),
    ("it", "Italian", "italian"),
    ("pt", "Portuguese", "portuguese"),
    ("ru", "Russian", "russian"),
    ("uk", "Ukrainian", "simple"),
    ("ar", "Arabic", "arabic"),
    ("tr", "Turkish", "turkish"),
]

DEFAULT = "en"
CHOICES = [(code, name) for code, name, _ in LANGUAGES]
_CONFIGS = {code: config for code, _, config in LANGUAGES}


def search_config(code):
    """The PostgreSQL text search configuration (str) for a language code; ``simple`` if unknown."""
    return _CONFIGS.get(code, "simple")
