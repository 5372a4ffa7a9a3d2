"""Uploads stream from disk (publish/ckan/multipart.py): the body is the multipart form
requests would have built, read block by block, rewound for a retry, never held whole.
The upload to the real portal is in test_publisher.py."""

from __future__ import annotations

import email.parser
import tracemalloc

import pytest
import requests

from publish.ckan.multipart import MultipartBody


def parse(body: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    message = email.parser.BytesParser().parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    return {
        part.get_param("name", header="content-disposition"): (
            part.get_filename(),
            part.get_payload(decode=True),
        )
        for part in message.get_payload()
    }


def test_the_body_holds_every_field_and_file_as_requests_would(tmp_path):
    rows = tmp_path / "pub_service_requests.csv"
    rows.write_bytes("request_id,ward\nSR-1,Côte-Saint-Luc\n".encode() * 1000)
    with rows.open("rb") as upload:
        body = MultipartBody({b"id": b"abc", b"name": b"Rows (CSV)"}, {"upload": upload})
        sent = b"".join(iter(lambda: body.read(16384), b""))
        assert len(sent) == len(body) == body.tell()
        assert parse(sent, body.content_type) == {
            "id": (None, b"abc"),
            "name": (None, b"Rows (CSV)"),
            "upload": ("pub_service_requests.csv", rows.read_bytes()),
        }
        # the same form as requests' own encoding (which reads the file into memory)
        upload.seek(0)
        theirs = requests.Request(
            "POST", "http://x", data={"id": "abc", "name": "Rows (CSV)"}, files={"upload": upload}
        ).prepare()
        their_type = theirs.headers["Content-Type"]
        assert parse(theirs.body, their_type) == parse(sent, body.content_type)
        # a retried request rewinds the body and sends the same bytes again
        assert body.seek(0) == 0 and body.read() == sent
        body.seek(len(sent) - 10)
        assert body.read(100) == sent[-10:] and body.read(100) == b""


def test_a_big_file_is_never_held_in_memory(tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as out:
        for _ in range(64):
            out.write(b"x" * (1 << 20))
    with big.open("rb") as upload:
        body = MultipartBody({}, {"upload": upload})
        tracemalloc.start()
        while body.read(16384):
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 1 << 20  # a block at a time, not 64 MB


def test_a_file_that_changes_size_while_sent_is_an_error(tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_bytes(b"a\n" * 100)
    with rows.open("rb") as upload:
        body = MultipartBody({}, {"upload": upload})
        rows.write_bytes(b"a\n")
        with pytest.raises(OSError, match="changed size"):
            body.read()
