from tortoise import migrations
from tortoise.migrations import operations as ops
from models.cases.tables import AlertLevel
from models.evaluations.tables import AppealStatus, EvaluationChannel, FollowUpKind, FollowUpStatus, RectificationStatus, UnratedAction
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_queue_carry_over')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Evaluation',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall_id', fields.IntField()),
                ('department_id', fields.IntField(null=True)),
                ('window_id', fields.IntField(null=True)),
                ('staff_id', fields.IntField(null=True)),
                ('item_id', fields.IntField(null=True)),
                ('case_id', fields.BigIntField(null=True)),
                ('ticket_id', fields.BigIntField(null=True)),
                ('channel', fields.CharEnumField(description='WINDOW: WINDOW\nSMS_LINK: SMS_LINK\nONLINE: ONLINE\nFOLLOW_UP_CALL: FOLLOW_UP_CALL\nDEFAULT: DEFAULT', enum_type=EvaluationChannel, max_length=16)),
                ('grade', fields.SmallIntField()),
                ('bad', fields.BooleanField()),
                ('tags', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('comment', fields.CharField(default='', max_length=500)),
                ('rater_digest', fields.CharField(default='', max_length=64)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('rated_on', fields.DateField()),
                ('counted', fields.BooleanField(default=True)),
                ('policy_version', fields.IntField()),
            ],
            options={'table': 'evaluation', 'app': 'models', 'unique_together': (('case_id', 'channel'), ('ticket_id', 'channel')), 'indexes': [Index(fields=['hall_id', 'rated_on']), Index(fields=['department_id', 'rated_on'])], 'pk_attr': 'id', 'table_description': 'One rating of a served case or ticket; `counted` is false once an appeal is upheld.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EvaluationAppeal',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('evaluation_id', fields.BigIntField(unique=True)),
                ('hall_id', fields.IntField()),
                ('department_id', fields.IntField(null=True)),
                ('reason', fields.CharField(max_length=1000)),
                ('filed_by_id', fields.IntField()),
                ('filed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=AppealStatus.PENDING, description='PENDING: PENDING\nUPHELD: UPHELD\nREJECTED: REJECTED', enum_type=AppealStatus, max_length=16)),
                ('decided_by_id', fields.IntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision_note', fields.CharField(default='', max_length=1000)),
            ],
            options={'table': 'evaluation_appeal', 'app': 'models', 'indexes': [Index(fields=['hall_id', 'status'])], 'pk_attr': 'id', 'table_description': "A department's appeal against one rating (at most one per rating)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EvaluationPolicy',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall_id', fields.IntField()),
                ('version', fields.IntField()),
                ('bad_max_grade', fields.SmallIntField()),
                ('rectification_days', fields.IntField()),
                ('rectification_yellow_days', fields.IntField()),
                ('unrated_action', fields.CharEnumField(description='FOLLOW_UP: FOLLOW_UP\nDEFAULT_GRADE: DEFAULT_GRADE', enum_type=UnratedAction, max_length=16)),
                ('follow_up_after_days', fields.IntField()),
                ('follow_up_within_days', fields.IntField()),
                ('default_grade', fields.SmallIntField()),
                ('default_after_days', fields.IntField()),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'evaluation_policy', 'app': 'models', 'unique_together': (('hall_id', 'version'),), 'pk_attr': 'id', 'table_description': "One version of a hall's evaluation rules; the highest version is in force."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FollowUp',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dedupe_key', fields.CharField(unique=True, max_length=64)),
                ('kind', fields.CharEnumField(description='UNRATED: UNRATED\nRECTIFICATION: RECTIFICATION', enum_type=FollowUpKind, max_length=16)),
                ('hall_id', fields.IntField()),
                ('department_id', fields.IntField(null=True)),
                ('case_id', fields.BigIntField(null=True)),
                ('rectification_id', fields.BigIntField(null=True)),
                ('status', fields.CharEnumField(default=FollowUpStatus.OPEN, description='OPEN: OPEN\nDONE: DONE\nUNREACHABLE: UNREACHABLE', enum_type=FollowUpStatus, max_length=16)),
                ('due_on', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('done_by_id', fields.IntField(null=True)),
                ('note', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'follow_up', 'app': 'models', 'indexes': [Index(fields=['hall_id', 'status', 'due_on'])], 'pk_attr': 'id', 'table_description': 'A call-back task: an unrated completed case, or checking a rectification with the rater.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rectification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('evaluation_id', fields.BigIntField(unique=True)),
                ('hall_id', fields.IntField()),
                ('department_id', fields.IntField(null=True)),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nIN_PROGRESS: IN_PROGRESS\nRECTIFIED: RECTIFIED\nVERIFIED: VERIFIED\nVOIDED: VOIDED', enum_type=RectificationStatus, max_length=16)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('due_on', fields.DateField()),
                ('yellow_on', fields.DateField()),
                ('alert_level', fields.CharEnumField(default=AlertLevel.NONE, description='NONE: NONE\nYELLOW: YELLOW\nRED: RED', enum_type=AlertLevel, max_length=8)),
                ('measures', fields.CharField(default='', max_length=1000)),
                ('rectified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('applicant_accepts', fields.BooleanField(null=True)),
                ('rounds', fields.IntField(default=1)),
                ('policy_version', fields.IntField()),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rectification', 'app': 'models', 'indexes': [Index(fields=['hall_id', 'status']), Index(fields=['department_id', 'status'])], 'pk_attr': 'id', 'table_description': 'The answer a department owes for a bad rating, against a working-day deadline.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RectificationEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rectification_id', fields.BigIntField()),
                ('kind', fields.CharField(max_length=24)),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nIN_PROGRESS: IN_PROGRESS\nRECTIFIED: RECTIFIED\nVERIFIED: VERIFIED\nVOIDED: VOIDED', enum_type=RectificationStatus, max_length=16)),
                ('actor_id', fields.IntField(null=True)),
                ('actor_name', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('note', fields.CharField(default='', max_length=1000)),
            ],
            options={'table': 'rectification_event', 'app': 'models', 'indexes': [Index(fields=['rectification_id', 'id'])], 'pk_attr': 'id', 'table_description': "An append-only step of a rectification: a move, a warning, a call's answer."},
            bases=['Model'],
        ),
    ]
