from tortoise import migrations
from tortoise.migrations import operations as ops
from models.alerts.tables import AlertKind, ClearReason
from models.cases.tables import AlertLevel
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_notification_delivery')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AlertEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alert_id', fields.BigIntField()),
                ('case_id', fields.BigIntField()),
                ('hall_id', fields.IntField()),
                ('department_id', fields.IntField()),
                ('kind', fields.CharEnumField(description='YELLOW: YELLOW\nRED: RED\nCLEARED: CLEARED\nESCALATED: ESCALATED', enum_type=AlertKind, max_length=16)),
                ('level', fields.CharEnumField(description='NONE: NONE\nYELLOW: YELLOW\nRED: RED', enum_type=AlertLevel, max_length=8)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('board_seq', fields.BigIntField(null=True)),
            ],
            options={'table': 'alert_event', 'app': 'models', 'indexes': [Index(fields=['hall_id', 'id'])], 'pk_attr': 'id', 'table_description': 'An alert raised, cleared or escalated; rows are never changed except `board_seq`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AlertPolicy',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall_id', fields.IntField(unique=True)),
                ('yellow_days', fields.IntField()),
                ('item_yellow_days', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('steps', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('version', fields.IntField(default=1)),
                ('updated_by_id', fields.IntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'alert_policy', 'app': 'models', 'pk_attr': 'id', 'table_description': "A hall's warning threshold and escalation ladder; no row means the defaults."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseAlert',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_id', fields.BigIntField()),
                ('hall_id', fields.IntField()),
                ('department_id', fields.IntField()),
                ('level', fields.CharEnumField(description='NONE: NONE\nYELLOW: YELLOW\nRED: RED', enum_type=AlertLevel, max_length=8)),
                ('due_on', fields.DateField()),
                ('raised_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('raised_on', fields.DateField()),
                ('cleared_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('clear_reason', fields.CharEnumField(null=True, description='COMPLETED: COMPLETED\nCLOSED: CLOSED\nSUSPENDED: SUSPENDED\nOUT_OF_RANGE: OUT_OF_RANGE\nSUPERSEDED: SUPERSEDED', enum_type=ClearReason, max_length=16)),
                ('escalation_step', fields.IntField(default=0)),
                ('escalated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('next_escalation_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'case_alert', 'app': 'models', 'indexes': [Index(fields=['department_id', 'raised_on']), Index(fields=['hall_id', 'raised_on']), Index(fields=['case_id'])], 'pk_attr': 'id', 'table_description': 'One yellow or red card of a case; active while `cleared_at` is null.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Case',
            name='yellow_on',
            field=fields.DateField(null=True),
        ),
        ops.RunSQL(
            [
                # The deadline scan reads only cases at a threshold and rungs that are due.
                "CREATE INDEX case_yellow_scan ON \"case\" (yellow_on, id)"
                " WHERE status IN ('ACCEPTED', 'IN_REVIEW') AND alert_level = 'NONE'",
                "CREATE INDEX case_red_scan ON \"case\" (due_on, id)"
                " WHERE status IN ('ACCEPTED', 'IN_REVIEW') AND alert_level <> 'RED'",
                "CREATE INDEX case_alert_escalation ON case_alert (next_escalation_at, id)"
                " WHERE cleared_at IS NULL AND next_escalation_at IS NOT NULL",
                # One active card per case and level, whatever several workers do at once.
                "CREATE UNIQUE INDEX case_alert_active ON case_alert (case_id, level)"
                " WHERE cleared_at IS NULL",
                "CREATE INDEX alert_event_unpublished ON alert_event (id) WHERE board_seq IS NULL",
                # Joint sub-tasks that lapse (超时默认), found by the same scan.
                "CREATE INDEX case_subtask_pending_due ON case_subtask (due_on, id)"
                " WHERE status = 'PENDING'",
            ],
            reverse_sql=[
                "DROP INDEX case_subtask_pending_due",
                "DROP INDEX alert_event_unpublished",
                "DROP INDEX case_alert_active",
                "DROP INDEX case_alert_escalation",
                "DROP INDEX case_red_scan",
                "DROP INDEX case_yellow_scan",
            ],
        ),
    ]
