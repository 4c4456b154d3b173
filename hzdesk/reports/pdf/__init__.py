"""Printable PDFs: ledgers, single-record sheets and statistics reports (reportlab)."""
