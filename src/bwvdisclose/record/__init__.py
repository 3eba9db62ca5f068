"""The decision record: HTML to PDF/A-3a, sealed with PAdES, and checked."""
