"""The `users` feature: crud, models, router, schemas, service."""
