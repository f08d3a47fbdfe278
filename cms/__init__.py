"""CoP CMS: a headless multi-tenant CMS for Communities of Practice."""
