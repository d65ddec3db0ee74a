from tortoise import migrations
from tortoise.migrations import operations as ops
from storage.models import ImportStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ImportBatch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('models.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_by', fields.ForeignKeyField('models.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('filename', fields.CharField(max_length=255)),
                ('content', fields.BinaryField()),
                ('status', fields.CharEnumField(default=ImportStatus.PREVIEWED, description='PREVIEWED: previewed\nRUNNING: running\nINTERRUPTED: interrupted\nDONE: done\nCANCELLED: cancelled', enum_type=ImportStatus, max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'import_batch', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A spreadsheet of chats sent by staff: kept from the preview until the chats exist.'},
            bases=['Model'],
        ),
        ops.RemoveIndex(
            model_name='Chat',
            name=None,
            fields=['municipality_id', 'title'],
        ),
        ops.AddField(
            model_name='Chat',
            name='import_batch',
            field=fields.ForeignKeyField('models.ImportBatch', source_field='import_batch_id', null=True, db_constraint=True, to_field='id', related_name='chats', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Chat',
            name='members_count',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='Chat',
            name='photo',
            field=fields.BinaryField(null=True),
        ),
        ops.AddField(
            model_name='Chat',
            name='status_reason',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Chat',
            name='title_key',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddIndex(
            model_name='Chat',
            index=Index(fields=['municipality_id', 'title_key']),
        ),
        ops.AddIndex(
            model_name='Chat',
            index=Index(fields=['municipality_id', 'status']),
        ),
        ops.AddField(
            model_name='Person',
            name='current_municipality',
            field=fields.ForeignKeyField('models.Municipality', source_field='current_municipality_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='RoleGrant',
            name='notified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
