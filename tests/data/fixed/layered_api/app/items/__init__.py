"""The `items` feature: crud, models, router, schemas, service."""
