from tortoise import migrations
from tortoise.migrations import operations as ops
from storage.models import OnboardingStep
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_chats_and_imports')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChatMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat', fields.ForeignKeyField('models.Chat', source_field='chat_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('vk_id', fields.BigIntField()),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('left_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'chat_member', 'app': 'models', 'unique_together': (('chat', 'vk_id'),), 'indexes': [Index(fields=['chat_id', 'left_at'])], 'pk_attr': 'id', 'table_description': 'A person in a house chat, as the community saw them join and leave.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Onboarding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat', fields.ForeignKeyField('models.Chat', source_field='chat_id', db_constraint=True, to_field='id', related_name='onboardings', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='onboardings', on_delete=OnDelete.CASCADE)),
                ('step', fields.IntEnumField(default=OnboardingStep.JOIN, description='JOIN: 1\nANNOUNCE: 2\nPOSTER: 3\nREPRESENTATIVES: 4\nDONE: 5', enum_type=OnboardingStep, generated=False)),
                ('step_since', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'onboarding', 'app': 'models', 'unique_together': (('chat', 'person'),), 'pk_attr': 'id', 'table_description': "A chat admin's progress through the instructions for one chat."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Poster',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat', fields.ForeignKeyField('models.Chat', source_field='chat_id', db_constraint=True, to_field='id', related_name='posters', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('invite_link', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'poster', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A printed poster: its verification code and the invite link printed on it.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Chat',
            name='uptake_reported_on',
            field=fields.DateField(null=True),
        ),
    ]
