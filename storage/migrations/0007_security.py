"""Invitations are offers: a role grant is `accepted` once its person accepted it (staff roles:
once the inviter confirmed the VK account); an invitation remembers who opened it.

Grants of people already bound stay effective (accepted); grants of people not yet bound were
not effective before either, and now wait for the new confirmation."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_chat_search_and_sort_keys')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='Invitation',
            options={'table': 'invitation', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A single-use, expiring offer of a role: a deep-link token sent by SMS (or a message with'},
        ),
        ops.AddField(
            model_name='Invitation',
            name='code',
            field=fields.CharField(null=True, max_length=8),
        ),
        ops.AddField(
            model_name='Invitation',
            name='code_attempts',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='Invitation',
            name='declined_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Invitation',
            name='opened_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Invitation',
            name='opened_by_name',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Invitation',
            name='opened_by_vk_id',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='RoleGrant',
            name='accepted',
            field=fields.BooleanField(default=True),
        ),
        ops.RunSQL(
            "UPDATE role_grant SET accepted = FALSE"
            " WHERE person_id IN (SELECT id FROM person WHERE vk_id IS NULL)",
            reverse_sql="SELECT 1",
        ),
    ]
