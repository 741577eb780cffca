"""Empathy training."""
