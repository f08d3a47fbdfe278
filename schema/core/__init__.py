"""What every domain of the API shares: ids, the Node interface, pagination, lists, payloads."""
