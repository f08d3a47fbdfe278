"""The API of joining a community: settings, join requests, enquiries (issue 16)."""
