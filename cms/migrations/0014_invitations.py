"""Invitations of people into tenants (issue 16)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from cms.models.accounts import CommunityRole
from cms.models.auth import Role
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_sessions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('name', fields.CharField(default='', max_length=200)),
                ('role', fields.CharEnumField(null=True, description='ADMIN: admin\nEDITOR: editor\nCONTRIBUTOR: contributor\nVIEWER: viewer', enum_type=Role, max_length=16)),
                ('community_role', fields.CharEnumField(null=True, description='MEMBER: member\nOBSERVER: observer\nCOORDINATOR: coordinator', enum_type=CommunityRole, max_length=16)),
                ('message', fields.TextField(default='', unique=False)),
                ('invited_by', fields.CharField(default='', max_length=200)),
                ('invited_by_account', fields.ForeignKeyField('models.Account', source_field='invited_by_account_id', null=True, db_constraint=True, to_field='id', related_name='invitations_sent', on_delete=OnDelete.SET_NULL)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'invitation', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'email'])], 'pk_attr': 'id', 'table_description': 'An e-mailed link that makes its holder a member of a tenant with the roles given.'},
            bases=['Model'],
        ),
    ]
