"""The installation-wide audit trail: one hash chain over every change that touches money or
rights, material digests of claims, signed checkpoints, verification and export."""
