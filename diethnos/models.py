from django.db import models


class ContentVersion(models.Model):
    """The version of the site's content, a single row: cached pages are stored under it
    (diethnos/page_cache.py), and any committed change to the content gives it a new random
    value. It lives in the database rather than in the cache so that a change saved while
    the cache was unreachable still retires the pages cached before it."""

    value = models.CharField(max_length=32)

    def __str__(self):
        return self.value
