from tortoise import migrations
from tortoise.migrations import operations as ops
from models.queue.tables import AppointmentStatus, TicketChannel, TicketOutcome, TicketPriority, TicketStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_calendar_cases_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AppointmentSlot',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lane', fields.ForeignKeyField('models.Lane', source_field='lane_id', db_constraint=True, to_field='id', related_name='slots', on_delete=OnDelete.RESTRICT)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('capacity', fields.IntField()),
                ('booked', fields.IntField(default=0)),
            ],
            options={'table': 'appointment_slot', 'app': 'models', 'unique_together': (('lane', 'starts_at'),), 'pk_attr': 'id', 'table_description': 'A bookable stretch of time on a lane with a capacity.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Appointment',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slot', fields.ForeignKeyField('models.AppointmentSlot', source_field='slot_id', db_constraint=True, to_field='id', related_name='appointments', on_delete=OnDelete.RESTRICT)),
                ('code', fields.CharField(unique=True, max_length=12)),
                ('phone', fields.CharField(max_length=11)),
                ('name', fields.CharField(max_length=50)),
                ('status', fields.CharEnumField(default=AppointmentStatus.BOOKED, description='BOOKED: BOOKED\nCANCELLED: CANCELLED\nCHECKED_IN: CHECKED_IN\nNO_SHOW: NO_SHOW', enum_type=AppointmentStatus, max_length=16)),
                ('ticket_id', fields.BigIntField(null=True)),
                ('booked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'appointment', 'app': 'models', 'indexes': [Index(fields=['phone', 'status'])], 'pk_attr': 'id', 'table_description': 'A booking of a slot by a phone number; on check-in it becomes a priority ticket.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LaneDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lane_id', fields.IntField()),
                ('business_day', fields.DateField()),
                ('last_sequence', fields.IntField(default=0)),
                ('issued', fields.IntField(default=0)),
            ],
            options={'table': 'lane_day', 'app': 'models', 'unique_together': (('lane_id', 'business_day'),), 'pk_attr': 'id', 'table_description': "A lane's counter for one business day: the last number given and how many were issued."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ticket',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall', fields.ForeignKeyField('models.Hall', source_field='hall_id', db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('lane', fields.ForeignKeyField('models.Lane', source_field='lane_id', db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('issued_lane_id', fields.IntField()),
                ('business_day', fields.DateField()),
                ('sequence', fields.IntField()),
                ('number', fields.CharField(max_length=8)),
                ('channel', fields.CharEnumField(description='KIOSK: KIOSK\nPHONE: PHONE\nCLERK: CLERK\nAPPOINTMENT: APPOINTMENT', enum_type=TicketChannel, max_length=16)),
                ('priority', fields.CharEnumField(description='GREEN_CHANNEL: GREEN_CHANNEL\nAPPOINTMENT: APPOINTMENT\nNORMAL: NORMAL', enum_type=TicketPriority, max_length=16)),
                ('rank', fields.IntField()),
                ('status', fields.CharEnumField(default=TicketStatus.WAITING, description='WAITING: WAITING\nCALLED: CALLED\nHELD: HELD\nFINISHED: FINISHED\nNO_SHOW: NO_SHOW\nEXPIRED: EXPIRED', enum_type=TicketStatus, max_length=16)),
                ('item', fields.ForeignKeyField('models.ServiceItem', source_field='item_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('target_window_id', fields.IntField(null=True)),
                ('window', fields.ForeignKeyField('models.Window', source_field='window_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('holder_name', fields.CharField(default='', max_length=50)),
                ('holder_phone', fields.CharField(default='', max_length=11)),
                ('issued_by_id', fields.IntField(null=True)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('called_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('called_by_id', fields.IntField(null=True)),
                ('recall_count', fields.IntField(default=0)),
                ('held_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharEnumField(null=True, description='SERVED: SERVED\nCONSULTED: CONSULTED\nREFERRED: REFERRED\nINCOMPLETE: INCOMPLETE', enum_type=TicketOutcome, max_length=16)),
                ('case_number', fields.CharField(default='', max_length=40)),
                ('appointment_id', fields.BigIntField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ticket', 'app': 'models', 'unique_together': (('issued_lane_id', 'business_day', 'sequence'),), 'indexes': [Index(fields=['hall_id', 'business_day', 'status']), Index(fields=['case_number'])], 'pk_attr': 'id', 'table_description': 'A number taken for a lane on a business day; `rank` orders the waiting line.'},
            bases=['Model'],
        ),
        ops.RunSQL(
            [
                # The waiting line a window calls from: best rank first, among WAITING rows only.
                "CREATE INDEX ticket_waiting_line ON ticket (hall_id, business_day, rank, id)"
                " WHERE status = 'WAITING'",
            ],
            reverse_sql=["DROP INDEX ticket_waiting_line"],
        ),
    ]
