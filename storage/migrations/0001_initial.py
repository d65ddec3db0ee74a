from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from storage.models import ChatKind, ChatStatus, RepresentativeKind, Role
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='DialogState',
            fields=[
                ('vk_id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('state', fields.CharField(max_length=128)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'dialog_state', 'app': 'models', 'pk_attr': 'vk_id', 'table_description': 'The persistent conversation state of one person (keyed by VK user id, not by chat).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KeyValue',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('value', fields.TextField(unique=False)),
            ],
            options={'table': 'key_value', 'app': 'models', 'pk_attr': 'key', 'table_description': "Small bits of runtime state (the long-poll position, the community's screen name)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('vk_id', fields.BigIntField(null=True, unique=True)),
                ('phone', fields.CharField(null=True, unique=True, max_length=20)),
                ('name', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('bound_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'person', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A human: known by phone (E.164) before they ever talk to the bot, by VK id after binding.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProcessedEvent',
            fields=[
                ('event_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('received_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'processed_event', 'app': 'models', 'pk_attr': 'event_id', 'table_description': 'Incoming VK event ids already handled: a redelivered event is dropped.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Region',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'region', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Municipality',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('region', fields.ForeignKeyField('models.Region', source_field='region_id', db_constraint=True, to_field='id', related_name='municipalities', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=200)),
                ('timezone', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'municipality', 'app': 'models', 'unique_together': (('region', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Chat',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('municipality', fields.ForeignKeyField('models.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name='chats', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='HOUSE: house\nENTRANCE: entrance\nCOORDINATION: coordination\nTEMPORARY: temporary', enum_type=ChatKind, max_length=20)),
                ('description', fields.TextField(null=True, unique=False)),
                ('flats', fields.IntField(null=True)),
                ('vk_chat_id', fields.BigIntField(null=True)),
                ('peer_id', fields.BigIntField(null=True, unique=True)),
                ('invite_link', fields.CharField(null=True, max_length=255)),
                ('status', fields.CharEnumField(default=ChatStatus.PENDING, description='PENDING: pending\nACTIVE: active\nFAILED: failed\nBOT_REMOVED: bot_removed\nDISABLED: disabled\nCLOSED: closed', enum_type=ChatStatus, max_length=20)),
                ('created_by', fields.ForeignKeyField('models.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'chat', 'app': 'models', 'indexes': [Index(fields=['municipality_id', 'title'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoleGrant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='grants', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='REGION_ADMIN: region_admin\nMUNICIPALITY_ADMIN: municipality_admin\nSTAFF: staff\nCHAT_ADMIN: chat_admin\nREPRESENTATIVE: representative', enum_type=Role, max_length=32)),
                ('region', fields.ForeignKeyField('models.Region', source_field='region_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('municipality', fields.ForeignKeyField('models.Municipality', source_field='municipality_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('chat', fields.ForeignKeyField('models.Chat', source_field='chat_id', null=True, db_constraint=True, to_field='id', related_name='grants', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(null=True, description='UK: uk\nADMINISTRATION: administration\nRSO: rso', enum_type=RepresentativeKind, max_length=20)),
                ('organisation', fields.CharField(null=True, max_length=300)),
                ('granted_by', fields.ForeignKeyField('models.Person', source_field='granted_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'role_grant', 'app': 'models', 'indexes': [Index(fields=['role', 'municipality_id']), Index(fields=['role', 'chat_id'])], 'pk_attr': 'id', 'table_description': 'One role of one person in one scope.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('grant', fields.ForeignKeyField('models.RoleGrant', source_field='grant_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_by', fields.ForeignKeyField('models.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_by_vk_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'invitation', 'app': 'models', 'pk_attr': 'id', 'table_description': "A single-use, expiring deep-link token that binds a VK account to a person's phone."},
            bases=['Model'],
        ),
    ]
