"""Delivery to sites: webhooks, their deliveries and attempts, the schedule clock, site routes
and redirects (issue 18)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from cms.models.base import DelimitedListField
from cms.models.delivery import DeliveryStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_gender_data')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Redirect',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='redirects', on_delete=OnDelete.CASCADE)),
                ('content_type', fields.CharField(max_length=32)),
                ('object_id', fields.IntField()),
                ('old_key', fields.CharField(max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'redirect', 'app': 'models', 'unique_together': (('tenant_id', 'content_type', 'old_key'),), 'pk_attr': 'id', 'table_description': 'An old slug (or page path) of an item, which keeps answering with the item.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScheduleClock',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=50)),
                ('until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'schedule_clock', 'app': 'models', 'pk_attr': 'name', 'table_description': 'Up to when scheduled times (went live, expired) have been turned into outbox events.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SiteRoutes',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.OneToOneField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='site_routes', on_delete=OnDelete.CASCADE)),
                ('base_url', fields.CharField(default='', max_length=500)),
                ('patterns', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'site_routes', 'app': 'models', 'pk_attr': 'id', 'table_description': "A tenant's front end: its base URL and the route pattern of each kind's public page."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Webhook',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='webhooks', on_delete=OnDelete.CASCADE)),
                ('url', fields.CharField(max_length=1000)),
                ('events', DelimitedListField(default='')),
                ('secret', fields.CharField(max_length=100)),
                ('active', fields.BooleanField(default=True)),
                ('description', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'webhook', 'app': 'models', 'pk_attr': 'id', 'table_description': "A receiver of one tenant's changes: a URL, the events it wants and its signing secret."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('webhook', fields.ForeignKeyField('models.Webhook', source_field='webhook_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event_key', fields.CharField(max_length=100)),
                ('event', fields.CharField(max_length=40)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: pending\nSUCCEEDED: succeeded\nFAILED: failed', enum_type=DeliveryStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lease', fields.IntField(default=0)),
                ('last_status_code', fields.IntField(null=True)),
                ('last_duration_ms', fields.IntField(null=True)),
                ('last_error', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_delivery', 'app': 'models', 'unique_together': (('webhook_id', 'event_key'),), 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'One event for one webhook: sent until a 2xx answers, retried with backoff, then failed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('delivery', fields.ForeignKeyField('models.WebhookDelivery', source_field='delivery_id', db_constraint=True, to_field='id', related_name='attempt_log', on_delete=OnDelete.CASCADE)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status_code', fields.IntField(null=True)),
                ('duration_ms', fields.IntField()),
                ('error', fields.CharField(default='', max_length=300)),
            ],
            options={'table': 'webhook_attempt', 'app': 'models', 'pk_attr': 'id', 'table_description': "One POST of a delivery: when, the answer's status code (none if no answer), how long."},
            bases=['Model'],
        ),
    ]
