"""The grader's app: score a test's responses, rate them, agreement, feedback reports, pre/post."""

from .app import GradingApp, grading_app

__all__ = ["GradingApp", "grading_app"]
