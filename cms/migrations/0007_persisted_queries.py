"""Persisted GraphQL documents (automatic persisted queries and trusted documents)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_content_generation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PersistedQuery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sha256', fields.CharField(unique=True, max_length=64)),
                ('body', fields.TextField(unique=False)),
                ('name', fields.CharField(null=True, max_length=200)),
                ('trusted', fields.BooleanField(default=False, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'persisted_query', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A GraphQL document stored once so clients (and CDNs) can name it by its hash.'},
            bases=['Model'],
        ),
    ]
