"""What a tenant's site and its visitors fetch besides GraphQL: feeds, calendars, sitemaps."""
