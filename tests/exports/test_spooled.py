"""The zip is read whole from its snapshot before the first byte goes out: a stalled download
holds no database transaction (exports/zipstream.py spooled)."""

import pytest

from axolotly.exports.zipstream import SEND_BYTES, spooled


def test_the_body_is_read_to_its_end_before_the_first_chunk_is_sent():
    events = []

    def body():
        try:
            events.append("snapshot opened")
            yield b"a" * SEND_BYTES
            yield b"b" * 10
        finally:
            events.append("snapshot closed")

    sent = spooled(body())
    first = next(sent)
    assert events == ["snapshot opened", "snapshot closed"]
    assert first == b"a" * SEND_BYTES and b"".join(sent) == b"b" * 10


def test_a_body_that_fails_fails_before_any_answer_is_sent():
    def body():
        yield b"the start"
        raise LookupError("the family went away meanwhile")

    with pytest.raises(LookupError):
        spooled(body())
