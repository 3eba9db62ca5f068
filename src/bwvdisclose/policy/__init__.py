"""Policies as data: models and the one loader."""

from __future__ import annotations

from bwvdisclose.policy.load import load_policy, policy_sha256
from bwvdisclose.policy.models import Policy, Question

__all__ = ["Policy", "Question", "load_policy", "policy_sha256"]
