"""Full-text search over the knowledge base (Whoosh); built in the search issue."""
