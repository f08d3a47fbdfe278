"""Content generations: one counter per tenant and one for shared items, bumped by writes."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_utc_datetimes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ContentGeneration',
            fields=[
                ('scope', fields.IntField(primary_key=True, generated=False, unique=True, db_index=True)),
                ('value', fields.BigIntField(default=0)),
            ],
            options={'table': 'content_generation', 'app': 'models', 'pk_attr': 'scope', 'table_description': "How often what one tenant's public may see has changed (`scope` = tenant id, or"},
            bases=['Model'],
        ),
    ]
