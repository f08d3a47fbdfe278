from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0003_media')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Event',
            name='contact_email',
            field=fields.CharField(default='', max_length=254),
        ),
        ops.AddField(
            model_name='Event',
            name='contact_name',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Event',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Event',
            name='source_uid',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Event',
            name='translation_group',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='File',
            name='source_uid',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Image',
            name='source_uid',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='NewsItem',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='NewsItem',
            name='source_uid',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='NewsItem',
            name='translation_group',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Organisation',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Organisation',
            name='source_uid',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Organisation',
            name='translation_group',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Page',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Page',
            name='source_uid',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Page',
            name='translation_group',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Profile',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Profile',
            name='source_uid',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Profile',
            name='translation_group',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Resource',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Resource',
            name='source_uid',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Resource',
            name='translation_group',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Tenant',
            name='timezone',
            field=fields.CharField(default='Europe/Brussels', max_length=64),
        ),
        ops.AddField(
            model_name='Video',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Video',
            name='source_uid',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Video',
            name='translation_group',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddConstraint(
            model_name='Event',
            constraint=UniqueConstraint(fields=('tenant', 'source_uid'), name=None),
        ),
        ops.AddConstraint(
            model_name='File',
            constraint=UniqueConstraint(fields=('tenant', 'source_uid'), name=None),
        ),
        ops.AddConstraint(
            model_name='Image',
            constraint=UniqueConstraint(fields=('tenant', 'source_uid'), name=None),
        ),
        ops.AddConstraint(
            model_name='NewsItem',
            constraint=UniqueConstraint(fields=('tenant', 'source_uid'), name=None),
        ),
        ops.AddConstraint(
            model_name='Organisation',
            constraint=UniqueConstraint(fields=('tenant', 'source_uid'), name=None),
        ),
        ops.AddConstraint(
            model_name='Page',
            constraint=UniqueConstraint(fields=('tenant', 'source_uid'), name=None),
        ),
        ops.AddConstraint(
            model_name='Profile',
            constraint=UniqueConstraint(fields=('tenant', 'source_uid'), name=None),
        ),
        ops.AddConstraint(
            model_name='Resource',
            constraint=UniqueConstraint(fields=('tenant', 'source_uid'), name=None),
        ),
        ops.AddConstraint(
            model_name='Video',
            constraint=UniqueConstraint(fields=('tenant', 'source_uid'), name=None),
        ),
    ]
