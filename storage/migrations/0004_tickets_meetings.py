from tortoise import migrations
from tortoise.migrations import operations as ops
from storage.models import MeetingStatus, RepresentativeKind, TicketStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_onboarding_posters_members')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Blob',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=10)),
                ('filename', fields.CharField(max_length=255)),
                ('content', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'blob', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A file a person sent (a photo or a document), kept to pass it on later.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Lease',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('holder', fields.CharField(max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lease', 'app': 'models', 'pk_attr': 'name', 'table_description': "A named lease held by one process at a time (the scheduler's leadership)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ticket',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat', fields.ForeignKeyField('models.Chat', source_field='chat_id', db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.CASCADE)),
                ('municipality', fields.ForeignKeyField('models.Municipality', source_field='municipality_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.Person', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(description='UK: uk\nADMINISTRATION: administration\nRSO: rso', enum_type=RepresentativeKind, max_length=20)),
                ('representative', fields.ForeignKeyField('models.Person', source_field='representative_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('question', fields.TextField(unique=False)),
                ('question_photo', fields.ForeignKeyField('models.Blob', source_field='question_photo_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=TicketStatus.OPEN, description='OPEN: open\nMEETING: meeting\nANSWERED: answered\nMET: met\nCANCELLED: cancelled', enum_type=TicketStatus, max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deadline_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('overdue_reported_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answer', fields.TextField(null=True, unique=False)),
                ('answer_file', fields.ForeignKeyField('models.Blob', source_field='answer_file_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('notice_cmid', fields.BigIntField(null=True)),
            ],
            options={'table': 'ticket', 'app': 'models', 'indexes': [Index(fields=['municipality_id', 'status']), Index(fields=['representative_id', 'status'])], 'pk_attr': 'id', 'table_description': 'A question a chat admin passed to a representative (№ = id).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Meeting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='meetings', on_delete=OnDelete.CASCADE)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=MeetingStatus.SCHEDULED, description='SCHEDULED: scheduled\nOPENING: opening\nLIVE: live\nCLOSING: closing\nCLOSED: closed\nCANCELLED: cancelled\nMISSED: missed', enum_type=MeetingStatus, max_length=20)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('vk_chat_id', fields.BigIntField(null=True)),
                ('peer_id', fields.BigIntField(null=True)),
                ('invite_link', fields.CharField(null=True, max_length=255)),
                ('failures', fields.IntField(default=0)),
                ('opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting', 'app': 'models', 'indexes': [Index(fields=['status', 'starts_at'])], 'pk_attr': 'id', 'table_description': 'An online meeting on a ticket, held in a temporary chat.'},
            bases=['Model'],
        ),
    ]
