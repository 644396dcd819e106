from django.conf import settings


def site(request):
    """What every page needs to know about the site itself."""
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}
