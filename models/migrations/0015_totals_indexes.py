from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0014_case_codes')]

    initial = False

    operations = [
        ops.RunSQL(
            [
                # A period's totals (the published table: no grouping, no narrowing) read only
                # the codes and seconds their counters use. An index-only scan unpacks every
                # column of each index row, so these narrow indexes do about a tenth less work
                # per row than the covering ones, which grouped and narrowed reads keep using
                # (the planner picks the narrow one only when it holds every column asked).
                'CREATE INDEX case_totals_accepted ON "case" (hall_id, accepted_on)'
                " INCLUDE (kind_code) WHERE accepted_on IS NOT NULL",
                'CREATE INDEX case_totals_decided ON "case" (hall_id, decided_on)'
                " INCLUDE (kind_code, timeliness_code) WHERE decided_on IS NOT NULL",
                "CREATE INDEX evaluation_totals_counted ON evaluation (hall_id, rated_on)"
                " INCLUDE (grade, bad) WHERE counted",
                "CREATE INDEX ticket_totals_called ON ticket (hall_id, business_day)"
                " INCLUDE (wait_seconds, service_seconds) WHERE called_at IS NOT NULL",
            ],
            reverse_sql=[
                "DROP INDEX ticket_totals_called",
                "DROP INDEX evaluation_totals_counted",
                "DROP INDEX case_totals_decided",
                "DROP INDEX case_totals_accepted",
            ],
        ),
    ]
