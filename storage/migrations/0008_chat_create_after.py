"""Chats remember, from the moment their creation is requested, the highest chat id known then,
so a creation whose answer was lost is found by title instead of being made twice."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0007_security')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Chat',
            name='create_after',
            field=fields.BigIntField(null=True),
        ),
    ]
