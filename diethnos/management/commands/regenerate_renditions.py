from django.apps import apps
from django.core.management.base import BaseCommand

from diethnos.images import ValidatedImageField


def image_fields():
    """(model, field) for every image field that has renditions."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, ValidatedImageField) and field.renditions:
                yield model, field


class Command(BaseCommand):
    help = (
        "Write the missing renditions of every stored image (after the sizes changed), or all of "
        "them again with --force (after the processing changed), and record the dimensions of "
        "images stored without them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="rewrite the renditions that already exist"
        )

    def handle(self, *args, force=False, **options):
        rows = [
            (model, field, pk)
            for model, field in image_fields()
            for pk in model._default_manager.exclude(**{field.name: ""}).values_list(
                "pk", flat=True
            )
        ]
        failed = written = 0
        for done, (model, field, pk) in enumerate(rows, start=1):
            instance = model._default_manager.get(pk=pk)
            image = getattr(instance, field.name)
            try:
                self.record_dimensions(instance, field)
                written += field.renditions.generate(image, force=force)
            except OSError as error:
                failed += 1
                self.stderr.write(f"\n{model._meta.label} {pk}: {image.name}: {error}")
            self.stderr.write(f"\rRenditions: {done}/{len(rows)} images", ending="")
        self.stderr.write("")
        self.stdout.write(f"Wrote {written} renditions of {len(rows) - failed} images.")
        if failed:
            self.stdout.write(self.style.WARNING(f"{failed} images could not be read."))

    @staticmethod
    def record_dimensions(instance, field):
        names = [name for name in (field.width_field, field.height_field) if name]
        if all(getattr(instance, name) for name in names):
            return
        field.update_dimension_fields(instance, force=True)
        values = {name: getattr(instance, name) for name in names}
        type(instance)._default_manager.filter(pk=instance.pk).update(**values)
