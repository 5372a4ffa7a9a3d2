"""A multipart/form-data request body that reads its files from disk as it is sent.

ckanapi hands uploads to requests' ``files=``, which reads each file into memory and
then copies it into the body: uploading a 10M-row dataset's 1.6 GB CSV held over 3 GB in
the pipeline's process. This body is a file-like object of known length: requests sends
it with a Content-Length, and urllib3 reads it block by block (and, for a retried
request, seeks back to its start). The parts are what requests would have sent: each
form field, then each file under its field name with its file name (CKAN names the
resource's download after it) and no content type of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from typing import BinaryIO


class MultipartBody:
    def __init__(self, fields: Mapping[str | bytes, str | bytes], files: Mapping[str, BinaryIO]):
        self.boundary = uuid.uuid4().hex
        self.content_type = f"multipart/form-data; boundary={self.boundary}"
        # each part: (bytes) or (an open file, its start offset, its length)
        self._parts: list[bytes | tuple[BinaryIO, int, int]] = []
        for name, value in fields.items():
            self._parts.append(self._header(_text(name)) + _bytes(value) + b"\r\n")
        for name, file in files.items():
            filename = os.path.basename(getattr(file, "name", name))
            start = file.tell()
            size = os.fstat(file.fileno()).st_size - start
            self._parts += [self._header(name, filename), (file, start, size), b"\r\n"]
        self._parts.append(f"--{self.boundary}--\r\n".encode())
        self.len = sum(p[2] if isinstance(p, tuple) else len(p) for p in self._parts)
        self._position = 0

    def _header(self, name: str, filename: str | None = None) -> bytes:
        disposition = f'form-data; name="{_quoted(name)}"'
        if filename is not None:
            disposition += f'; filename="{_quoted(filename)}"'
        return f"--{self.boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()

    def __len__(self) -> int:
        return self.len

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence != os.SEEK_SET:
            raise OSError("a multipart body seeks from its start only")
        self._position = min(max(offset, 0), self.len)
        return self._position

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes from the current position (all that is left: -1)."""
        wanted = self.len - self._position if size is None or size < 0 else size
        chunks, start = [], 0
        for part in self._parts:
            length = part[2] if isinstance(part, tuple) else len(part)
            if wanted and start + length > self._position:
                offset = self._position - start
                take = min(length - offset, wanted)
                if isinstance(part, tuple):
                    file, file_start, _ = part
                    file.seek(file_start + offset)
                    data = file.read(take)
                    if len(data) != take:
                        raise OSError(f"{file.name} changed size while it was being sent")
                else:
                    data = part[offset : offset + take]
                chunks.append(data)
                self._position += take
                wanted -= take
            start += length
        return b"".join(chunks)


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def _quoted(name: str) -> str:
    """A form-data name or file name as browsers quote it (WHATWG HTML)."""
    return name.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")
