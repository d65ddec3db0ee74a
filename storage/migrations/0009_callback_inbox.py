"""The Callback API inbox (events stored before VK is answered) and the rate slots every process shares."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_chat_create_after')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InboxEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, max_length=64)),
                ('ordering_key', fields.CharField(max_length=64)),
                ('body', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('claimed_by', fields.CharField(null=True, max_length=32)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbox_event', 'app': 'models', 'indexes': [Index(fields=['ordering_key', 'done_at'])], 'pk_attr': 'id', 'table_description': 'A Callback API event, stored (de-duplicated by `event_id`) before VK is answered `ok`,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateSlot',
            fields=[
                ('slot', fields.IntField(primary_key=True, unique=True, db_index=True)),
                ('free_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'vk_rate_slot', 'app': 'models', 'pk_attr': 'slot', 'table_description': "One of the token's N requests a second, shared by every process (`bot/vk/shared_rate_limit.py`),"},
            bases=['Model'],
        ),
    ]
