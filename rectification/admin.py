# Rectification data changes only through the services (append-only ledger,
# audited); the Django admin registers none of its models.
