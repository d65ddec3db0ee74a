from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

from storage.addresses import search_key, sort_key


async def fill_keys(apps, schema_editor) -> None:
    """Existing chats get their keys from their titles."""
    Chat = apps.get_model("models", "Chat")
    client = schema_editor.client
    chats = await Chat.all().using_db(client).only("id", "title")
    for chat in chats:
        chat.search_key = search_key(chat.title)
        chat.sort_key = sort_key(chat.title)
    if chats:
        await Chat.bulk_update(chats, fields=["search_key", "sort_key"], batch_size=500, using_db=client)


class Migration(migrations.Migration):
    dependencies = [('models', '0005_broadcasts_and_stats')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Chat',
            name='search_key',
            field=fields.CharField(default='', db_default='', max_length=410),
        ),
        ops.AddField(
            model_name='Chat',
            name='sort_key',
            field=fields.BinaryField(null=True),
        ),
        ops.AddIndex(
            model_name='Chat',
            index=Index(fields=['municipality_id', 'sort_key']),
        ),
        ops.RunPython(fill_keys, ops.RunPython.noop),
    ]
