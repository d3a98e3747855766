"""Errors of reading a file, shared by read/ and ocr/ so neither imports the other's machinery for them."""
from __future__ import annotations


class ExtractError(Exception):
    """The file cannot be read; the message says what to do about it."""
    format: str | None = None  # what the file was sniffed as, where that was known


class TooLarge(ExtractError):
    """A page or stream over a memory cap (Settings.max_pixels, max_stream_bytes,
    max_content_bytes): refused before it is built, so one file cannot take the machine."""


class TimeLimit(ExtractError):
    """The whole parse ran past Settings.time_limit."""
