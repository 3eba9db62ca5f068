"""The decision record: HTML to PDF/A-3b, sealed with PAdES, and checked."""
