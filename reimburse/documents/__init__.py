"""Uploaded files (photos, PDF/OFD/XML e-invoices): stored content-addressed before the upload
is acknowledged, then read in the background into extraction results."""
