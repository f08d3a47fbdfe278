"""Delivery to sites: webhooks, their deliveries and attempts, the site's public routes."""
