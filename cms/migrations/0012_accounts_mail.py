"""Accounts of people, their memberships of tenants, and queued mail (issue 16)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from cms.models.accounts import CommunityRole
from cms.models.auth import Role
from cms.models.mail import MailState
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_delivery')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(null=True, unique=True, max_length=254)),
                ('name', fields.CharField(default='', max_length=200)),
                ('password_hash', fields.CharField(null=True, max_length=200)),
                ('pseudonym', fields.CharField(unique=True, max_length=40)),
                ('organisation', fields.CharField(default='', max_length=200)),
                ('country', fields.CharField(default='', max_length=100)),
                ('position', fields.CharField(default='', max_length=200)),
                ('expertise', fields.TextField(default='', unique=False)),
                ('public_profile', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A person who signs in: by password (argon2id, `cms.passwords`) or by an e-mailed link.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MailMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('purpose', fields.CharField(max_length=40)),
                ('tenant_id', fields.IntField(null=True)),
                ('recipient', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=300)),
                ('body', fields.TextField(unique=False)),
                ('state', fields.CharEnumField(default=MailState.PENDING, description='PENDING: pending\nSENT: sent\nFAILED: failed', enum_type=MailState, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('leased_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mail_message', 'app': 'models', 'indexes': [Index(fields=['state', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'One message to one recipient.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(null=True, description='ADMIN: admin\nEDITOR: editor\nCONTRIBUTOR: contributor\nVIEWER: viewer', enum_type=Role, max_length=16)),
                ('community_role', fields.CharEnumField(null=True, description='MEMBER: member\nOBSERVER: observer\nCOORDINATOR: coordinator', enum_type=CommunityRole, max_length=16)),
                ('in_directory', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'membership', 'app': 'models', 'unique_together': (('account_id', 'tenant_id'),), 'pk_attr': 'id', 'table_description': "An account's place in one tenant: an editorial role, a community role, or both."},
            bases=['Model'],
        ),
    ]
