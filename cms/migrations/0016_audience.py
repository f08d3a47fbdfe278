"""Every content item gets an audience: public (the default) or its tenant's members (issue 16)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from cms.models.base import Audience
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_joining')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Event',
            name='audience',
            field=fields.CharEnumField(default=Audience.PUBLIC, description='PUBLIC: public\nMEMBERS: members', enum_type=Audience, max_length=16),
        ),
        ops.AddField(
            model_name='NewsItem',
            name='audience',
            field=fields.CharEnumField(default=Audience.PUBLIC, description='PUBLIC: public\nMEMBERS: members', enum_type=Audience, max_length=16),
        ),
        ops.AddField(
            model_name='Organisation',
            name='audience',
            field=fields.CharEnumField(default=Audience.PUBLIC, description='PUBLIC: public\nMEMBERS: members', enum_type=Audience, max_length=16),
        ),
        ops.AddField(
            model_name='Page',
            name='audience',
            field=fields.CharEnumField(default=Audience.PUBLIC, description='PUBLIC: public\nMEMBERS: members', enum_type=Audience, max_length=16),
        ),
        ops.AddField(
            model_name='Profile',
            name='audience',
            field=fields.CharEnumField(default=Audience.PUBLIC, description='PUBLIC: public\nMEMBERS: members', enum_type=Audience, max_length=16),
        ),
        ops.AddField(
            model_name='Resource',
            name='audience',
            field=fields.CharEnumField(default=Audience.PUBLIC, description='PUBLIC: public\nMEMBERS: members', enum_type=Audience, max_length=16),
        ),
        ops.AddField(
            model_name='Video',
            name='audience',
            field=fields.CharEnumField(default=Audience.PUBLIC, description='PUBLIC: public\nMEMBERS: members', enum_type=Audience, max_length=16),
        ),
    ]
