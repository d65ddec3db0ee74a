from tortoise import migrations
from tortoise.migrations import operations as ops
from storage.models import BroadcastKind, BroadcastStatus, DeliveryStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_tickets_meetings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Broadcast',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('author', fields.ForeignKeyField('models.Person', source_field='author_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('author_peer', fields.BigIntField()),
                ('source', fields.CharField(max_length=300)),
                ('kind', fields.CharEnumField(description='EMERGENCY: emergency\nINFO: info', enum_type=BroadcastKind, max_length=20)),
                ('text', fields.TextField(unique=False)),
                ('file', fields.ForeignKeyField('models.Blob', source_field='file_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('scope', fields.CharField(max_length=300)),
                ('status', fields.CharEnumField(default=BroadcastStatus.DRAFT, description='DRAFT: draft\nWAITING: waiting\nSENDING: sending\nSTOPPING: stopping\nSTOPPED: stopped\nDONE: done', enum_type=BroadcastStatus, max_length=20)),
                ('total', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('not_before', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('progress_cmid', fields.BigIntField(null=True)),
            ],
            options={'table': 'broadcast', 'app': 'models', 'indexes': [Index(fields=['status', 'not_before']), Index(fields=['author_id', 'status'])], 'pk_attr': 'id', 'table_description': 'An official message to many chats (its progress is kept per chat in BroadcastDelivery).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BroadcastDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('broadcast', fields.ForeignKeyField('models.Broadcast', source_field='broadcast_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('chat', fields.ForeignKeyField('models.Chat', source_field='chat_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('peer_id', fields.BigIntField()),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: pending\nSENT: sent\nFAILED: failed\nSKIPPED: skipped', enum_type=DeliveryStatus, max_length=20)),
                ('cmid', fields.BigIntField(null=True)),
                ('pinned', fields.BooleanField(default=False)),
                ('error_code', fields.IntField(null=True)),
            ],
            options={'table': 'broadcast_delivery', 'app': 'models', 'unique_together': (('broadcast', 'chat'),), 'indexes': [Index(fields=['broadcast_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChatDayStat',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat', fields.ForeignKeyField('models.Chat', source_field='chat_id', db_constraint=True, to_field='id', related_name='day_stats', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('messages', fields.IntField(default=0)),
                ('authors', fields.IntField(default=0)),
                ('authors_sketch', fields.BinaryField(null=True)),
                ('joins', fields.IntField(default=0)),
                ('leaves', fields.IntField(default=0)),
            ],
            options={'table': 'chat_day_stat', 'app': 'models', 'unique_together': (('chat', 'day'),), 'pk_attr': 'id', 'table_description': "One chat's activity on one day — counts only: no texts, no record of who wrote."},
            bases=['Model'],
        ),
    ]
