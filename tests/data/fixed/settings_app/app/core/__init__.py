"""Shared configuration of the app."""
