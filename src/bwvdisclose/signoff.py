"""Moved to `bwvdisclose.trust.signoff`; kept for older imports."""

from bwvdisclose.trust.signoff import (
    ROLE_TEXT,
    decision_current,
    missing_roles,
    recommendation_stale,
    refuse_stale,
    required_roles,
    signoff_for,
)

__all__ = [
    "ROLE_TEXT",
    "decision_current",
    "missing_roles",
    "recommendation_stale",
    "refuse_stale",
    "required_roles",
    "signoff_for",
]
