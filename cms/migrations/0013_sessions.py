"""Sessions of people, their e-mailed one-time links and attempt counts; revisions and audit
entries name the account that wrote them (issue 16)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from cms.models.accounts import LinkPurpose
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_accounts_mail')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='links', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharEnumField(description='SIGN_IN: sign-in\nPASSWORD_RESET: password-reset', enum_type=LinkPurpose, max_length=16)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_link', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A one-time token mailed to the address of an account, stored only as its SHA-256.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccountSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('label', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_session', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A person signed in on one device: a random token (`cmss_…`) stored only as its SHA-256.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Attempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subject', fields.CharField(max_length=100)),
                ('bucket', fields.BigIntField()),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'attempt', 'app': 'models', 'unique_together': (('subject', 'bucket'),), 'pk_attr': 'id', 'table_description': 'How many times one subject (an action by one address, or by one client) was tried in'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='account',
            field=fields.ForeignKeyField('models.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Revision',
            name='account',
            field=fields.ForeignKeyField('models.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.SET_NULL),
        ),
    ]
