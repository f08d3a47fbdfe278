from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_tokens_history')]

    initial = False

    operations = [
        ops.AddField(
            model_name='File',
            name='content_hash',
            field=fields.CharField(default='', db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='File',
            name='text',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Image',
            name='content_hash',
            field=fields.CharField(default='', db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='Image',
            name='focal_x',
            field=fields.FloatField(default=0.5),
        ),
        ops.AddField(
            model_name='Image',
            name='focal_y',
            field=fields.FloatField(default=0.5),
        ),
        ops.AddField(
            model_name='Image',
            name='placeholder',
            field=fields.TextField(default='', unique=False),
        ),
    ]
