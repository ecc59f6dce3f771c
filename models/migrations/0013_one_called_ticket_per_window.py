from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0012_ticket_seconds')]

    initial = False

    operations = [
        ops.RunSQL(
            [
                # A window serves one called ticket at a time, whatever races: two call-next
                # statements from the same window (a double click, two tabs) cannot both claim
                # a ticket; the second fails here and is answered TICKET_IN_SERVICE.
                "CREATE UNIQUE INDEX ticket_one_called_per_window ON ticket (window_id)"
                " WHERE status = 'CALLED'",
            ],
            reverse_sql=["DROP INDEX ticket_one_called_per_window"],
        ),
    ]
