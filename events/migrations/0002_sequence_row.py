from django.db import migrations


def create_sequence_row(apps, schema_editor):
    EventSequence = apps.get_model("events", "EventSequence")
    EventSequence.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(create_sequence_row, migrations.RunPython.noop)]
