"""A URLconf without the reports' pages (tests/test_page_addresses.py)."""

urlpatterns = []
