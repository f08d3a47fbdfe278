"""Joining a community: settings per tenant, join requests, enquiries, attempt counters (issue 16)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from cms.models.joining import EnquiryState, EnquiryTopic, JoinRequestState
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_invitations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CommunitySettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.OneToOneField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='community_settings', on_delete=OnDelete.CASCADE)),
                ('accepts_join_requests', fields.BooleanField(default=False)),
                ('privacy_text', fields.TextField(default='', unique=False)),
                ('privacy_version', fields.IntField(default=0)),
                ('contact_email', fields.CharField(default='', max_length=254)),
                ('membership_target', fields.IntField(null=True)),
                ('show_target', fields.BooleanField(default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'community_settings', 'app': 'models', 'pk_attr': 'id', 'table_description': 'How a tenant takes in people: one row per tenant, set by its admins.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Enquiry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='enquiries', on_delete=OnDelete.CASCADE)),
                ('state', fields.CharEnumField(default=EnquiryState.UNCONFIRMED, description='UNCONFIRMED: unconfirmed\nDELIVERED: delivered', enum_type=EnquiryState, max_length=16)),
                ('topic', fields.CharEnumField(description='SPONSORING: sponsoring\nGENERAL: general', enum_type=EnquiryTopic, max_length=16)),
                ('name', fields.CharField(max_length=200)),
                ('email', fields.CharField(db_index=True, max_length=254)),
                ('organisation', fields.CharField(default='', max_length=200)),
                ('message', fields.TextField(unique=False)),
                ('token_hash', fields.CharField(null=True, unique=True, max_length=64)),
                ('token_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'enquiry', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A "get in touch" message to a tenant\'s contact, sent once its address is confirmed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JoinRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='join_requests', on_delete=OnDelete.CASCADE)),
                ('state', fields.CharEnumField(default=JoinRequestState.UNCONFIRMED, description='UNCONFIRMED: unconfirmed\nPENDING: pending\nAPPROVED: approved\nDECLINED: declined', enum_type=JoinRequestState, max_length=16)),
                ('name', fields.CharField(max_length=200)),
                ('email', fields.CharField(db_index=True, max_length=254)),
                ('organisation', fields.CharField(default='', max_length=200)),
                ('country', fields.CharField(default='', max_length=100)),
                ('position', fields.CharField(default='', max_length=200)),
                ('motivation', fields.TextField(default='', unique=False)),
                ('privacy_version', fields.IntField()),
                ('token_hash', fields.CharField(null=True, unique=True, max_length=64)),
                ('token_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.CharField(default='', max_length=200)),
                ('decision_message', fields.TextField(default='', unique=False)),
                ('invitation_id', fields.IntField(null=True)),
            ],
            options={'table': 'join_request', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'state', 'id'])], 'pk_attr': 'id', 'table_description': "A person's request to become a member of a tenant."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JoiningAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'joining_attempt', 'app': 'models', 'indexes': [Index(fields=['key', 'at'])], 'pk_attr': 'id', 'table_description': 'One attempt at `requestToJoin` or `sendEnquiry`, by client and by address, counted in'},
            bases=['Model'],
        ),
    ]
