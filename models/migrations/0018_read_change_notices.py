from tortoise import migrations
from tortoise.migrations import operations as ops

# The tables the API's read cache depends on (schema.read_cache.WATCHED; a test keeps the two
# lists equal): each write statement to one of them notifies `read_change` with the table's
# name, delivered once its transaction commits (repeats within a transaction are merged).
TABLES = (
    "app_user", "calendar_year", "case", "case_alert", "case_event", "case_pause",
    "case_subtask", "department", "evaluation", "hall", "hall_closure", "hall_hours", "lane",
    "lane_item", "service_item", "service_item_version", "stat_department_day",
    "stat_department_month", "stat_item_day", "stat_pending", "stat_staff_day",
    "stat_window_day", "ticket", "window", "window_lane",
)  # fmt: skip

FUNCTION = (
    "CREATE FUNCTION read_change_notice() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN PERFORM pg_notify('read_change', TG_TABLE_NAME); RETURN NULL; END $$"
)


def _trigger(table: str) -> str:
    return (
        f'CREATE TRIGGER read_change_notice AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}"'
        " FOR EACH STATEMENT EXECUTE FUNCTION read_change_notice()"
    )


class Migration(migrations.Migration):
    dependencies = [('models', '0017_pending_figures')]

    initial = False

    operations = [
        ops.RunSQL(
            [FUNCTION, *[_trigger(t) for t in TABLES]],
            reverse_sql=[
                *[f'DROP TRIGGER read_change_notice ON "{t}"' for t in TABLES],
                "DROP FUNCTION read_change_notice()",
            ],
        ),
    ]
