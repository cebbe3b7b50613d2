"""Transforms: SQL models (staging -> intermediate -> marts) run incrementally by day."""
