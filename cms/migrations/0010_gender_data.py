"""Gender-aggregated data (issue 17): frameworks, their versions, submissions, tokens bound to an institute."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from cms.models.genderdata import SubmissionState, VersionStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_programmes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DataFramework',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='data_frameworks', on_delete=OnDelete.RESTRICT)),
                ('code', fields.CharField(max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('threshold', fields.IntField(default=5)),
                ('min_institutes', fields.IntField(default=3)),
                ('data_version', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'data_framework', 'app': 'models', 'unique_together': (('tenant', 'code'),), 'pk_attr': 'id', 'table_description': "A network's common framework for gender-aggregated data, with its protection settings."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FrameworkVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('framework', fields.ForeignKeyField('models.DataFramework', source_field='framework_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('status', fields.CharEnumField(default=VersionStatus.DRAFT, description='DRAFT: draft\nPUBLISHED: published', enum_type=VersionStatus, max_length=16)),
                ('first_year', fields.IntField()),
                ('last_year', fields.IntField()),
                ('definition', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'data_framework_version', 'app': 'models', 'unique_together': (('framework', 'number'),), 'pk_attr': 'id', 'table_description': "One definition of a framework's indicators (published versions never change)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Submission',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='data_submissions', on_delete=OnDelete.RESTRICT)),
                ('framework', fields.ForeignKeyField('models.DataFramework', source_field='framework_id', db_constraint=True, to_field='id', related_name='submissions', on_delete=OnDelete.RESTRICT)),
                ('framework_version', fields.ForeignKeyField('models.FrameworkVersion', source_field='framework_version_id', db_constraint=True, to_field='id', related_name='submissions', on_delete=OnDelete.RESTRICT)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='data_submissions', on_delete=OnDelete.RESTRICT)),
                ('year', fields.IntField()),
                ('state', fields.CharEnumField(default=SubmissionState.DRAFT, description='DRAFT: draft\nSUBMITTED: submitted\nVALIDATED: validated\nRETURNED: returned', enum_type=SubmissionState, max_length=16)),
                ('figures', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('comments', fields.TextField(default='', unique=False)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'data_submission', 'app': 'models', 'unique_together': (('framework', 'organisation', 'year'),), 'pk_attr': 'id', 'table_description': "One institute's figures for one year, under the framework version they were reported in."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ApiToken',
            name='organisation',
            field=fields.ForeignKeyField('models.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.SET_NULL),
        ),
    ]
