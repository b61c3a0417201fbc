"""Errors of the document store, under the project's one base error.

``storage_unavailable`` (503) is transient: the store could not be reached or refused us
(connection, timeout, credentials, a missing bucket), so the same request may succeed later.
``stored_file_corrupt`` (500) is not: the bytes the store holds no longer hash to their name.
"""

from __future__ import annotations

from reimburse.core.errors import ReimburseError


class StorageError(ReimburseError):
    code = "storage_error"
    status = 500


class StorageUnavailable(StorageError):
    code = "storage_unavailable"
    status = 503


class StoredFileCorrupt(StorageError):
    code = "stored_file_corrupt"
    status = 500
