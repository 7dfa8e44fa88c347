"""Shared model layer and domain services.

`core` is imported by `candidate_portal`, `backoffice` and `reports`; it imports none of them.
"""
