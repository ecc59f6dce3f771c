from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_work_orders')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccessLogEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('seq', fields.BigIntField(unique=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_id', fields.IntField(null=True)),
                ('actor_name', fields.CharField(max_length=64)),
                ('actor_role', fields.CharField(max_length=16)),
                ('hall_path', fields.CharField(max_length=255)),
                ('subject', fields.CharField(max_length=64)),
                ('fields_seen', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('purpose', fields.CharField(max_length=200)),
                ('prev_hash', fields.CharField(max_length=64)),
                ('hash', fields.CharField(unique=True, max_length=64)),
            ],
            options={'table': 'access_log', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One access to unmasked personal data, chained to the entry before it by hash.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='api_keys', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=64)),
                ('prefix', fields.CharField(unique=True, max_length=16)),
                ('secret_hash', fields.CharField(max_length=64)),
                ('scopes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('hall', fields.ForeignKeyField('models.Hall', source_field='hall_id', null=True, db_constraint=True, to_field='id', related_name='api_keys', on_delete=OnDelete.RESTRICT)),
                ('per_minute', fields.IntField()),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_key', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A key a third-party application calls with, speaking for one APP account.'},
            bases=['Model'],
        ),
        ops.RunSQL(
            [
                # The access log is append-only: no row is ever changed or removed.
                "CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'access_log is append-only'; END $$",
                "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log"
                " FOR EACH ROW EXECUTE FUNCTION access_log_append_only()",
            ],
            reverse_sql=[
                "DROP TRIGGER access_log_append_only ON access_log",
                "DROP FUNCTION access_log_append_only()",
            ],
        ),
    ]
