"""Ratings (好差评): submission, rectification, appeals, follow-up calls and policy."""
