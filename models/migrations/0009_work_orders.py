from tortoise import migrations
from tortoise.migrations import operations as ops
from models.accounts.tables import Role
from models.cases.tables import AlertLevel
from models.workorders.tables import ExtensionState, Satisfaction, WorkOrderCategory, WorkOrderSource, WorkOrderStatus
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_statistics_rollups')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WorkOrder',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('hall_id', fields.IntField()),
                ('category', fields.CharEnumField(description='EMERGENCY: EMERGENCY\nENQUIRY: ENQUIRY\nHELP: HELP\nCOMPLAINT: COMPLAINT\nSUGGESTION: SUGGESTION', enum_type=WorkOrderCategory, max_length=16)),
                ('source', fields.CharEnumField(description='HOTLINE: HOTLINE\nWEB: WEB\nAPP: APP', enum_type=WorkOrderSource, max_length=8)),
                ('status', fields.CharEnumField(description='RECEIVED: RECEIVED\nDISPATCHED: DISPATCHED\nSIGNED: SIGNED\nRETURNED: RETURNED\nREPLIED: REPLIED\nCLOSED: CLOSED\nMERGED: MERGED', enum_type=WorkOrderStatus, max_length=16)),
                ('caller_name', fields.CharField(max_length=50)),
                ('caller_phone', fields.CharField(max_length=20)),
                ('location', fields.CharField(default='', max_length=200)),
                ('district', fields.CharField(default='', max_length=12)),
                ('content', fields.CharField(max_length=2000)),
                ('attachments', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('department_id', fields.IntField(null=True)),
                ('co_department_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('received_on', fields.DateField()),
                ('received_by_id', fields.IntField(null=True)),
                ('dispatched_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('dispatched_on', fields.DateField(null=True)),
                ('signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('due_on', fields.DateField(null=True)),
                ('yellow_on', fields.DateField(null=True)),
                ('alert_level', fields.CharEnumField(default=AlertLevel.NONE, description='NONE: NONE\nYELLOW: YELLOW\nRED: RED', enum_type=AlertLevel, max_length=8)),
                ('urged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reported_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('extension_days', fields.IntField(default=0)),
                ('extension_state', fields.CharEnumField(default=ExtensionState.NONE, description='NONE: NONE\nREQUESTED: REQUESTED', enum_type=ExtensionState, max_length=16)),
                ('extension_request_days', fields.IntField(default=0)),
                ('replied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('replied_on', fields.DateField(null=True)),
                ('reply', fields.CharField(default='', max_length=2000)),
                ('on_time', fields.BooleanField(null=True)),
                ('satisfaction', fields.CharEnumField(null=True, description='SATISFIED: SATISFIED\nBASICALLY_SATISFIED: BASICALLY_SATISFIED\nUNSATISFIED: UNSATISFIED', enum_type=Satisfaction, max_length=24)),
                ('callback_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_on', fields.DateField(null=True)),
                ('reworks', fields.IntField(default=0)),
                ('returns', fields.IntField(default=0)),
                ('duplicate_of_id', fields.BigIntField(null=True)),
                ('repeat_count', fields.IntField(default=0)),
                ('counted', fields.BooleanField(default=True)),
                ('event_count', fields.IntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'work_order', 'app': 'models', 'indexes': [Index(fields=['hall_id', 'received_on']), Index(fields=['department_id', 'received_on']), Index(fields=['caller_phone', 'received_on'])], 'pk_attr': 'id', 'table_description': 'One citizen request; `counted` is false for a duplicate merged into another order.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WorkOrderCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall_id', fields.IntField()),
                ('day', fields.DateField()),
                ('last_number', fields.IntField(default=0)),
            ],
            options={'table': 'work_order_counter', 'app': 'models', 'unique_together': (('hall_id', 'day'),), 'pk_attr': 'id', 'table_description': 'The last order number given per hall and day.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WorkOrderEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order_id', fields.BigIntField()),
                ('seq', fields.IntField()),
                ('kind', fields.CharField(max_length=24)),
                ('from_status', fields.CharEnumField(null=True, description='RECEIVED: RECEIVED\nDISPATCHED: DISPATCHED\nSIGNED: SIGNED\nRETURNED: RETURNED\nREPLIED: REPLIED\nCLOSED: CLOSED\nMERGED: MERGED', enum_type=WorkOrderStatus, max_length=16)),
                ('to_status', fields.CharEnumField(description='RECEIVED: RECEIVED\nDISPATCHED: DISPATCHED\nSIGNED: SIGNED\nRETURNED: RETURNED\nREPLIED: REPLIED\nCLOSED: CLOSED\nMERGED: MERGED', enum_type=WorkOrderStatus, max_length=16)),
                ('department_id', fields.IntField(null=True)),
                ('actor_id', fields.IntField(null=True)),
                ('actor_name', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('note', fields.CharField(default='', max_length=2000)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'work_order_event', 'app': 'models', 'unique_together': (('order_id', 'seq'),), 'pk_attr': 'id', 'table_description': 'One step of an order; rows are never changed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WorkOrderPolicy',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall_id', fields.IntField(unique=True)),
                ('limits', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('yellow_days', fields.IntField()),
                ('report_after_days', fields.IntField()),
                ('rework_days', fields.IntField()),
                ('max_reworks', fields.IntField()),
                ('version', fields.IntField(default=1)),
                ('updated_by_id', fields.IntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'work_order_policy', 'app': 'models', 'pk_attr': 'id', 'table_description': "A hotline centre's limits per category and its chasing rules; no row means the defaults."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='User',
            name='role',
            field=fields.CharEnumField(description='ADMIN: ADMIN\nSUPERVISOR: SUPERVISOR\nCHIEF_REP: CHIEF_REP\nCLERK: CLERK\nMONITOR: MONITOR\nAPP: APP\nHOTLINE: HOTLINE', enum_type=Role, max_length=16),
        ),
        ops.RunSQL(
            [
                # The chasing scan reads only running orders at a threshold.
                "CREATE INDEX work_order_yellow_scan ON work_order (yellow_on, id)"
                " WHERE status IN ('DISPATCHED', 'SIGNED') AND alert_level = 'NONE'",
                "CREATE INDEX work_order_red_scan ON work_order (due_on, id)"
                " WHERE status IN ('DISPATCHED', 'SIGNED') AND alert_level <> 'RED'",
                "CREATE INDEX work_order_report_scan ON work_order (due_on, id)"
                " WHERE status IN ('DISPATCHED', 'SIGNED') AND reported_at IS NULL",
            ],
            reverse_sql=[
                "DROP INDEX work_order_yellow_scan",
                "DROP INDEX work_order_red_scan",
                "DROP INDEX work_order_report_scan",
            ],
        ),
    ]
