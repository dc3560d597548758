"""fastapi-lint: a static-analysis linter with autofixes for FastAPI codebases."""

__version__ = "0.1.0"
