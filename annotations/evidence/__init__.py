"""Evidence behind the label views (annotations/evidence/views_evidence.py)."""
