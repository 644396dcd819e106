"""Values that must be unique whatever their letter case (slugs, topic names).

Each such field has a ``UniqueConstraint(Lower(field))`` in the database; the check here gives
forms a message next to the field, naming what the value clashes with.
"""

from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact


def differing_only_in_case(instance, field):
    """Another row of ``instance``'s model whose ``field`` equals this one's but for letter
    case, or None (also when the field is empty).

    Compared as the database's unique constraint compares, with SQL ``lower()``: PostgreSQL
    folds every letter, SQLite only the ASCII ones.
    """
    value = getattr(instance, field)
    if not value:
        return None
    model = type(instance)
    others = model._default_manager.filter(Exact(Lower(field), Lower(Value(value))))
    if instance.pk is not None:
        others = others.exclude(pk=instance.pk)
    return others.first()
