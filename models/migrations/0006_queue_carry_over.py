from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_alerts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='HallHours',
            name='carry_over',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
