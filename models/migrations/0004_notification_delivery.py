from tortoise import migrations
from tortoise.migrations import operations as ops
from models.notifications.tables import NotificationKind
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_queue')]

    initial = False

    operations = [
        ops.CreateModel(
            name='NotificationTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(unique=True, description='CASE_ACCEPTED: CASE_ACCEPTED\nCORRECTION_REQUESTED: CORRECTION_REQUESTED\nCASE_COMPLETED: CASE_COMPLETED\nNEGATIVE_REPORT: NEGATIVE_REPORT\nTICKET_NEAR: TICKET_NEAR\nTICKET_CALLED: TICKET_CALLED\nEVALUATION_INVITATION: EVALUATION_INVITATION\nESCALATION: ESCALATION', enum_type=NotificationKind, max_length=32)),
                ('text', fields.CharField(max_length=500)),
                ('provider_template', fields.CharField(default='', max_length=64)),
                ('updated_by_id', fields.IntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification_template', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The Chinese text of a kind of notification, with {placeholders}; editable by admins.'},
            bases=['Model'],
        ),
        ops.RemoveIndex(
            model_name='Notification',
            name=None,
            fields=['status', 'created_at'],
        ),
        ops.AddField(
            model_name='Notification',
            name='error_class',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
        ops.AddField(
            model_name='Notification',
            name='next_attempt_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Notification',
            name='provider',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='Notification',
            name='provider_ref',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='Notification',
            name='send_started_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Notification',
            name='sent_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Notification',
            index=Index(fields=['status', 'next_attempt_at']),
        ),
    ]
