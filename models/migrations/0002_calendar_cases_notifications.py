from tortoise import migrations
from tortoise.migrations import operations as ops
from models.calendar.rules import YearSource
from models.cases.tables import AlertLevel, ApplicantKind, CaseStatus, DeliveryMethod, EventKind, Outcome, SubtaskStatus, Timeliness
from models.catalogue.tables import DayUnit, ItemKind
from models.notifications.tables import NotificationKind, NotificationStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CalendarYearRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('region', fields.CharField(max_length=12)),
                ('year', fields.IntField()),
                ('source', fields.CharEnumField(description='LIBRARY: LIBRARY\nNOTICE: NOTICE\nPROVISIONAL: PROVISIONAL', enum_type=YearSource, max_length=16)),
                ('holidays', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('workdays', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('notice', fields.CharField(default='', max_length=200)),
                ('loaded_by_id', fields.IntField(null=True)),
                ('loaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'calendar_year', 'app': 'models', 'unique_together': (('region', 'year'),), 'pk_attr': 'id', 'table_description': 'One year of official data for a region, with where it came from.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Case',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=40)),
                ('hall', fields.ForeignKeyField('models.Hall', source_field='hall_id', db_constraint=True, to_field='id', related_name='received_cases', on_delete=OnDelete.RESTRICT)),
                ('department', fields.ForeignKeyField('models.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.RESTRICT)),
                ('item', fields.ForeignKeyField('models.ServiceItem', source_field='item_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.RESTRICT)),
                ('item_version', fields.ForeignKeyField('models.ServiceItemVersion', source_field='item_version_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='IMMEDIATE: IMMEDIATE\nPROMISED: PROMISED\nJOINT: JOINT\nREPORTED: REPORTED', enum_type=ItemKind, max_length=16)),
                ('day_unit', fields.CharEnumField(description='WORKING: WORKING\nNATURAL: NATURAL', enum_type=DayUnit, max_length=16)),
                ('limit_days', fields.IntField()),
                ('legal_limit_days', fields.IntField()),
                ('investment_project', fields.BooleanField(default=False)),
                ('applicant_kind', fields.CharEnumField(description='PERSON: PERSON\nORGANISATION: ORGANISATION', enum_type=ApplicantKind, max_length=16)),
                ('applicant_name', fields.CharField(max_length=100)),
                ('applicant_id_number', fields.CharField(max_length=18)),
                ('applicant_phone', fields.CharField(max_length=11)),
                ('contact_name', fields.CharField(default='', max_length=50)),
                ('ticket_id', fields.BigIntField(null=True)),
                ('window_id', fields.IntField(null=True)),
                ('status', fields.CharEnumField(description='CORRECTION_REQUESTED: CORRECTION_REQUESTED\nREJECTED: REJECTED\nACCEPTED: ACCEPTED\nIN_REVIEW: IN_REVIEW\nSUSPENDED: SUSPENDED\nCOMPLETED: COMPLETED\nDELIVERED: DELIVERED\nWITHDRAWN: WITHDRAWN\nFORWARDED: FORWARDED', enum_type=CaseStatus, max_length=24)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('received_by_id', fields.IntField(null=True)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('accepted_on', fields.DateField(null=True)),
                ('back_entered', fields.BooleanField(default=False)),
                ('missing_materials', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('extension_days', fields.IntField(default=0)),
                ('suspended_since', fields.DateField(null=True)),
                ('due_on', fields.DateField(null=True)),
                ('due_provisional', fields.BooleanField(default=False)),
                ('calendar_years', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('alert_level', fields.CharEnumField(default=AlertLevel.NONE, description='NONE: NONE\nYELLOW: YELLOW\nRED: RED', enum_type=AlertLevel, max_length=8)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_on', fields.DateField(null=True)),
                ('outcome', fields.CharEnumField(null=True, description='APPROVED: APPROVED\nDENIED: DENIED', enum_type=Outcome, max_length=16)),
                ('timeliness', fields.CharEnumField(null=True, description='EARLY: EARLY\nON_TIME: ON_TIME\nOVERDUE: OVERDUE', enum_type=Timeliness, max_length=16)),
                ('decision_note', fields.CharField(default='', max_length=500)),
                ('delivery_method', fields.CharEnumField(null=True, description='WINDOW: WINDOW\nPOST: POST', enum_type=DeliveryMethod, max_length=16)),
                ('courier', fields.CharField(default='', max_length=50)),
                ('tracking_number', fields.CharField(default='', max_length=50)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('forwarded_to', fields.CharField(default='', max_length=200)),
                ('negative_reported_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('event_count', fields.IntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'case', 'app': 'models', 'indexes': [Index(fields=['applicant_phone'])], 'pk_attr': 'id', 'table_description': 'One application from intake to result; deadline columns hold the current computation.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('seq', fields.IntField()),
                ('kind', fields.CharEnumField(description='CORRECTION_REQUESTED: CORRECTION_REQUESTED\nREJECTED: REJECTED\nACCEPTED: ACCEPTED\nBACK_ENTERED: BACK_ENTERED\nREVIEW_STARTED: REVIEW_STARTED\nSUSPENDED: SUSPENDED\nRESUMED: RESUMED\nEXTENDED: EXTENDED\nSUBTASK_DECIDED: SUBTASK_DECIDED\nSUBTASK_LAPSED: SUBTASK_LAPSED\nCOMPLETED: COMPLETED\nDELIVERED: DELIVERED\nWITHDRAWN: WITHDRAWN\nFORWARDED: FORWARDED\nNEGATIVE_REPORTED: NEGATIVE_REPORTED\nDEADLINE_RECOMPUTED: DEADLINE_RECOMPUTED\nUNMASKED: UNMASKED', enum_type=EventKind, max_length=32)),
                ('from_status', fields.CharEnumField(null=True, description='CORRECTION_REQUESTED: CORRECTION_REQUESTED\nREJECTED: REJECTED\nACCEPTED: ACCEPTED\nIN_REVIEW: IN_REVIEW\nSUSPENDED: SUSPENDED\nCOMPLETED: COMPLETED\nDELIVERED: DELIVERED\nWITHDRAWN: WITHDRAWN\nFORWARDED: FORWARDED', enum_type=CaseStatus, max_length=24)),
                ('to_status', fields.CharEnumField(description='CORRECTION_REQUESTED: CORRECTION_REQUESTED\nREJECTED: REJECTED\nACCEPTED: ACCEPTED\nIN_REVIEW: IN_REVIEW\nSUSPENDED: SUSPENDED\nCOMPLETED: COMPLETED\nDELIVERED: DELIVERED\nWITHDRAWN: WITHDRAWN\nFORWARDED: FORWARDED', enum_type=CaseStatus, max_length=24)),
                ('actor_id', fields.IntField(null=True)),
                ('actor_name', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('remark', fields.CharField(default='', max_length=500)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'case_event', 'app': 'models', 'unique_together': (('case', 'seq'),), 'pk_attr': 'id', 'table_description': "An immutable step in a case's life: who, when, from, to, remark."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseNumberCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall_id', fields.IntField()),
                ('day', fields.DateField()),
                ('last_number', fields.IntField(default=0)),
            ],
            options={'table': 'case_number_counter', 'app': 'models', 'unique_together': (('hall_id', 'day'),), 'pk_attr': 'id', 'table_description': 'The last case number issued per hall and day.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CasePause',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='pauses', on_delete=OnDelete.RESTRICT)),
                ('reason', fields.CharField(max_length=500)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_on', fields.DateField()),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_on', fields.DateField(null=True)),
            ],
            options={'table': 'case_pause', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A suspension (特别程序): the clock stops from `started_on` until `ended_on`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseSubtask',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='subtasks', on_delete=OnDelete.RESTRICT)),
                ('department', fields.ForeignKeyField('models.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='case_subtasks', on_delete=OnDelete.RESTRICT)),
                ('limit_days', fields.IntField()),
                ('due_on', fields.DateField(null=True)),
                ('due_provisional', fields.BooleanField(default=False)),
                ('status', fields.CharEnumField(default=SubtaskStatus.PENDING, description='PENDING: PENDING\nAPPROVED: APPROVED\nDENIED: DENIED\nLAPSED: LAPSED', enum_type=SubtaskStatus, max_length=16)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by_id', fields.IntField(null=True)),
                ('remark', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'case_subtask', 'app': 'models', 'unique_together': (('case', 'department'),), 'indexes': [Index(fields=['department_id', 'status', 'due_on'])], 'pk_attr': 'id', 'table_description': "One department's part of a joint case (并联审批), with its own limit and due date."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HallClosure',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall', fields.ForeignKeyField('models.Hall', source_field='hall_id', db_constraint=True, to_field='id', related_name='closures', on_delete=OnDelete.RESTRICT)),
                ('day', fields.DateField()),
                ('reason', fields.CharField(max_length=200)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'hall_closure', 'app': 'models', 'unique_together': (('hall', 'day'),), 'pk_attr': 'id', 'table_description': 'A day a hall is closed on top of the official calendar (local closure).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HallHours',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall', fields.OneToOneField('models.Hall', source_field='hall_id', db_constraint=True, to_field='id', related_name='hours', on_delete=OnDelete.RESTRICT)),
                ('sessions', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('ticket_cutoff_minutes', fields.IntField(default=30)),
                ('updated_by_id', fields.IntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'hall_hours', 'app': 'models', 'pk_attr': 'id', 'table_description': "A hall's opening hours: weekday and Saturday sessions, ticket cut-off."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='CASE_ACCEPTED: CASE_ACCEPTED\nCORRECTION_REQUESTED: CORRECTION_REQUESTED\nCASE_COMPLETED: CASE_COMPLETED\nNEGATIVE_REPORT: NEGATIVE_REPORT\nTICKET_NEAR: TICKET_NEAR\nTICKET_CALLED: TICKET_CALLED\nEVALUATION_INVITATION: EVALUATION_INVITATION\nESCALATION: ESCALATION', enum_type=NotificationKind, max_length=32)),
                ('dedupe_key', fields.CharField(unique=True, max_length=120)),
                ('phone', fields.CharField(default='', max_length=11)),
                ('user_id', fields.IntField(null=True)),
                ('hall_id', fields.IntField(null=True)),
                ('case_id', fields.BigIntField(null=True)),
                ('params', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('urgent', fields.BooleanField(default=False)),
                ('status', fields.CharEnumField(default=NotificationStatus.PENDING, description='PENDING: PENDING\nQUEUED: QUEUED\nSENDING: SENDING\nSENT: SENT\nDELIVERED: DELIVERED\nFAILED: FAILED\nCANCELLED: CANCELLED', enum_type=NotificationStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'models', 'indexes': [Index(fields=['status', 'created_at']), Index(fields=['case_id'])], 'pk_attr': 'id', 'table_description': 'One text to send; `dedupe_key` makes the cause idempotent (one text per event).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ServiceItem',
            name='investment_project',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='ServiceItem',
            name='joint_departments',
            field=fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
        ),        ops.RunSQL(
            [
                # Open cases of a department (or hall) by due date, and the deadline scan:
                # partial indexes stay small while closed cases pile up to millions.
                "CREATE INDEX case_open_department_due ON \"case\" (department_id, due_on, id)"
                " WHERE status IN ('ACCEPTED', 'IN_REVIEW', 'SUSPENDED')",
                "CREATE INDEX case_open_hall_due ON \"case\" (hall_id, due_on, id)"
                " WHERE status IN ('ACCEPTED', 'IN_REVIEW', 'SUSPENDED')",
                "CREATE INDEX case_running_due ON \"case\" (due_on, id)"
                " WHERE status IN ('ACCEPTED', 'IN_REVIEW')",
                "CREATE INDEX case_hall_received ON \"case\" (hall_id, received_at DESC, id DESC)",
                "CREATE INDEX case_department_received"
                " ON \"case\" (department_id, received_at DESC, id DESC)",
                # Case events are an audit trail: never changed, never removed.
                """
                CREATE FUNCTION case_event_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'case_event rows are immutable';
                END $$
                """,
                "CREATE TRIGGER case_event_immutable BEFORE UPDATE OR DELETE ON case_event"
                " FOR EACH ROW EXECUTE FUNCTION case_event_immutable()",
            ],
            reverse_sql=[
                "DROP TRIGGER case_event_immutable ON case_event",
                "DROP FUNCTION case_event_immutable()",
                "DROP INDEX case_department_received",
                "DROP INDEX case_hall_received",
                "DROP INDEX case_running_due",
                "DROP INDEX case_open_hall_due",
                "DROP INDEX case_open_department_due",
            ],
        ),
    ]
