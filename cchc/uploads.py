"""Uploads are cut off while they arrive once a file passes the largest size any form takes
(``UPLOAD_MAX_BYTES``), so that nobody can fill the disk with one request: what comes after
is dropped, and the form receives an empty stand-in that knows the file's size, so that it
refuses it with its own limit named. A request sending far more is stopped outright."""

from __future__ import annotations

import io
import unicodedata
import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler


class OversizedUpload(UploadedFile):
    """A file that was too large to keep: its name and size, no content."""

    def __init__(self, name: str, size: int, content_type: str | None) -> None:
        super().__init__(io.BytesIO(), name, content_type, size)


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler that spools to a temporary file, with a hard cap on each file."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        received = start + len(raw_data)
        if received > settings.UPLOAD_MAX_BYTES:
            if not self.too_large:
                self.too_large = True
                self.file.close()  # the temporary file is deleted
            if received > 2 * settings.UPLOAD_MAX_BYTES:  # not a mistake: stop reading
                raise StopUpload(connection_reset=True)
            return None
        return super().receive_data_chunk(raw_data, start)  # type: ignore[no-any-return]

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.too_large:
            return OversizedUpload(self.file_name or "", file_size, self.content_type)
        return super().file_complete(file_size)  # type: ignore[no-any-return]


def short_name(name: str | None, limit: int = 255, default: str = "tep") -> str:
    """A file name as people gave it (any alphabet), made safe to keep as data: the last
    path part only, without control characters, in NFC form, at most ``limit`` characters
    with its extension kept (a name is shortened in its middle part, never in ".pdf")."""
    text = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip() or default
    if len(text) <= limit:
        return text
    suffix = PurePosixPath(text).suffix
    suffix = suffix if len(suffix) <= 12 else ""
    return text[: limit - len(suffix)].rstrip() + suffix


def stored_name(name: str | None) -> str:
    """The name a file is stored under: random, with the uploaded name's extension. Never the
    uploaded name itself, whose length and characters the file system may refuse."""
    suffix = PurePosixPath(short_name(name)).suffix.lower()
    if not suffix[1:].isalnum() or len(suffix) > 10:
        suffix = ""
    return f"{uuid.uuid4().hex}{suffix}"
