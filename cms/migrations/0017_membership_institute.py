"""A membership may act for an institute (a member organisation) in its tenant's gender data."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_audience')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Membership',
            name='organisation',
            field=fields.ForeignKeyField('models.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='member_people', on_delete=OnDelete.SET_NULL),
        ),
    ]
