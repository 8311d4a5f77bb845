"""CSV files before DuckDB reads them: encoding, structure and line numbers.

DuckDB parses the CSV (``staging.stage_csv``); this module does what DuckDB cannot do
offline or does not report:

- **Encoding.** County offices export GBK/GB18030, which DuckDB reads only through an
  extension that downloads at run time. ``utf8_copy`` checks the whole file as UTF-8 in
  1 MB steps and, if it is not, transcodes it to a UTF-8 copy on disk (never the whole
  file in memory). Bare-CR (old Mac) line ends are turned into LF in the same pass.
- **Structure.** ``scan_records`` walks the UTF-8 bytes in chunks with numpy (no Python
  loop per row) and returns, for every record (row), the physical line it starts on
  (header = line 1) and its number of fields. A newline or comma is structural when an
  even number of quote characters precede it (RFC 4180: escaped quotes come in pairs).
  It also checks the quoting itself: an opening quote must start a field and a closing
  quote must end one, so a stray quote is reported at its line and column instead of
  silently swallowing the rest of the file; a NUL byte is reported likewise.

The records' lines are what DuckDB's rows are matched with (positionally), so every
problem can name its line even when quoted fields span lines.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CHUNK = 16 << 20
from analytics.ingest.layouts import HEADER_SEARCH_ROWS  # noqa: E402
_QUOTE, _COMMA, _LF, _CR, _NUL = 34, 44, 10, 13, 0


class EncodingProblem(Exception):
    """The file is neither UTF-8 nor GB18030; ``line`` is where decoding failed."""

    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


@dataclass
class _TextFacts:
    bad_line: int | None   # the line of the first byte that does not decode, if any
    has_lf: bool           # any LF at all (else the line ends are bare CRs: old Mac)
    stray_crs: int         # CRs not followed by LF


def _text_facts(path: Path, encoding: str) -> _TextFacts:
    """One pass over the file, 1 MB at a time: does it decode, and its line ends."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines, has_lf, crs, crlfs, last = 1, False, 0, 0, b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as bad:
                return _TextFacts(lines + chunk.count(b"\n", 0, bad.start), has_lf, 0)
            if not chunk:
                return _TextFacts(None, has_lf, crs - crlfs)
            both = last + chunk
            has_lf = has_lf or b"\n" in chunk
            crs += chunk.count(b"\r")
            crlfs += both.count(b"\r\n") - last.count(b"\r\n")
            lines += chunk.count(b"\n")
            last = chunk[-1:]


def utf8_copy(path: Path, workdir: Path) -> tuple[str, Path, int]:
    """(encoding, path of a UTF-8 version of the file, stray CRs removed).

    The file itself when it is UTF-8 (BOM or not) with LF or CRLF line ends; otherwise a
    copy in ``workdir``: transcoded from GB18030 (a superset of GBK); bare-CR (old Mac)
    line ends turned into LF; a stray CR in a file with LF line ends (a line break typed
    inside a cell by some tools) removed. Raises EncodingProblem when the file is
    neither UTF-8 nor GB18030.
    """
    facts = _text_facts(path, "utf-8")
    encoding = "utf-8"
    if facts.bad_line is not None:
        gb = _text_facts(path, "gb18030")
        if gb.bad_line is not None:
            # the encoding that reads further is the file's: the bad byte is where it stops
            raise EncodingProblem(max(facts.bad_line, gb.bad_line))
        encoding, facts = "gb18030", gb
    if encoding == "utf-8" and not facts.stray_crs:
        return "utf-8", path, 0
    old_mac = not facts.has_lf
    target = workdir / f"{path.stem}.utf8.csv"
    decoder = codecs.getincrementaldecoder(encoding)()
    first, held = True, ""
    with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = src.read(1 << 20)
            text = held + decoder.decode(chunk, final=not chunk)
            held = ""
            if first and text.startswith("\ufeff"):
                text = text[1:]
            first = first and not text
            if chunk and text.endswith("\r"):  # its LF may open the next chunk
                text, held = text[:-1], "\r"
            if old_mac:
                text = text.replace("\r", "\n")
            elif facts.stray_crs:
                text = re.sub("\r(?!\n)", "", text)
            dst.write(text)
            if not chunk:
                break
    return encoding, target, 0 if old_mac else facts.stray_crs


def head_records(path: Path, n: int = HEADER_SEARCH_ROWS,
                 guess_encoding: bool = False) -> list[tuple[int, list[str]]]:
    """The first ``n`` non-blank records of a UTF-8 CSV as (line, fields), for finding the
    header row. Reads at most the first MB. ``guess_encoding``: the file may be GB18030
    (recognising a file before it is transcoded)."""
    with open(path, "rb") as f:
        data = f.read(1 << 20)
        truncated = bool(f.read(1))
    text = data.decode("utf-8", errors="replace")
    if guess_encoding:
        cut = data[: data.rfind(b"\n") + 1] if truncated else data
        try:
            text = cut.decode("utf-8")
        except UnicodeDecodeError:
            text = cut.decode("gb18030", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    if truncated:  # the last physical line may be cut in the middle
        text = text[: text.rfind("\n") + 1] or text
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for fields in reader:
            if fields and any(v.strip() for v in fields):
                rows.append((line, fields))
                if len(rows) >= n:
                    break
            line = reader.line_num + 1
    except csv.Error:
        pass
    return rows


@dataclass
class Layout:
    """What ``scan_records`` found: per record (blank lines left out), the line it starts
    on and its field count, whether its last field is empty (a trailing comma), and the
    places where the quoting or the bytes are broken."""

    lines: np.ndarray                      # int32, physical start line of each record
    fields: np.ndarray                     # int32, number of fields
    trailing_comma: np.ndarray             # bool, the record ends with a comma
    stray_quotes: list[tuple[int, int]] = field(default_factory=list)   # (line, column)
    unclosed_quote: tuple[int, int] | None = None                       # (line, column)
    nul_bytes: list[tuple[int, int]] = field(default_factory=list)      # (line, column)


def _column_at(path: Path, line_start: int, pos: int) -> int:
    """1-based field index of byte ``pos``, counted from the start of its physical line
    (exact unless a quoted field spanning lines precedes it on that record)."""
    with open(path, "rb") as f:
        f.seek(line_start)
        data = np.frombuffer(f.read(pos - line_start), dtype=np.uint8)
    quotes = np.flatnonzero(data == _QUOTE)
    commas = np.flatnonzero(data == _COMMA)
    outside = np.searchsorted(quotes, commas) % 2 == 0
    return int(outside.sum()) + 1


def scan_records(path: Path, limit: int = 1000) -> Layout:
    """Scan a UTF-8 CSV's records (see the module docstring). At most ``limit`` stray
    quotes and NUL bytes are located; the arrays hold one entry per non-blank record."""
    size = path.stat().st_size
    out_lines, out_fields, out_trailing = [], [], []
    stray: list[tuple[int, int, int]] = []   # (line, record start, pos)
    nuls: list[tuple[int, int, int]] = []
    quote_count = 0          # quotes before the chunk
    line = 1                 # physical line at the chunk's first byte
    rec_start = 0            # byte where the current record starts
    rec_line = 1
    rec_commas = 0           # structural commas of the current record so far
    last_open: tuple[int, int, int] | None = None
    prev_byte = -1           # the byte before the chunk (-1 at the start of the file)
    line_start = 0           # byte where the chunk's first physical line starts
    with open(path, "rb") as f:
        offset = 0
        if f.read(3) != b"\xef\xbb\xbf":
            f.seek(0)
        else:
            offset = rec_start = line_start = 3
        while offset < size:
            f.seek(offset)
            raw = f.read(CHUNK + 1)
            b = np.frombuffer(raw, dtype=np.uint8)
            nxt = int(b[CHUNK]) if b.size > CHUNK else -1
            b = b[:CHUNK]
            n = b.size
            quotes = np.flatnonzero(b == _QUOTE)
            nl = np.flatnonzero(b == _LF)
            commas = np.flatnonzero(b == _COMMA)
            zeros = np.flatnonzero(b == _NUL)
            parity = quote_count % 2
            # quotes before each position: inside a quoted field when odd
            q_nl = (np.searchsorted(quotes, nl) + parity) % 2 == 0
            s_nl = nl[q_nl]
            s_commas = commas[(np.searchsorted(quotes, commas) + parity) % 2 == 0]
            # --- quoting: an opening quote starts a field, a closing quote ends one
            if quotes.size:
                g = np.arange(quotes.size) + quote_count
                before = np.where(quotes > 0, b[np.maximum(quotes - 1, 0)], prev_byte)
                after = np.where(quotes < n - 1, b[np.minimum(quotes + 1, n - 1)], nxt)
                opening = g % 2 == 0
                # an opening quote right after a quote is the second half of a ""
                ok_open = np.isin(before, (_COMMA, _LF, _CR, _QUOTE, -1))
                if offset == rec_start:  # a field right after a BOM
                    ok_open |= quotes == 0
                closing_ok = np.isin(after, (_COMMA, _LF, _CR, _QUOTE, -1))
                bad = np.flatnonzero((opening & ~ok_open) | (~opening & ~closing_ok))
                for k in bad[: max(limit - len(stray), 0)]:
                    stray.append(_where(int(quotes[k]), b, nl, line, line_start, offset))
                if opening.any():
                    k = int(np.flatnonzero(opening)[-1])
                    last_open = _where(int(quotes[k]), b, nl, line, line_start, offset)
            for pos in zeros[: max(limit - len(nuls), 0)]:
                nuls.append(_where(int(pos), b, nl, line, line_start, offset))
            # --- records ending in this chunk
            if s_nl.size:
                ends = s_nl
                starts = np.concatenate([[rec_start - offset], s_nl[:-1] + 1])
                commas_in = np.diff(np.concatenate([[0], np.searchsorted(s_commas, ends)]))
                commas_in[0] += rec_commas
                start_lines = np.concatenate([[rec_line], line + np.searchsorted(nl, s_nl[:-1]) + 1])
                length = ends - starts
                last = np.where(ends > 0, b[np.maximum(ends - 1, 0)], prev_byte)
                before_last = np.where(ends > 1, b[np.maximum(ends - 2, 0)],
                                       prev_byte if n else -1)
                blank = (length == 0) | ((length == 1) & (last == _CR))
                trailing = (last == _COMMA) | ((last == _CR) & (before_last == _COMMA))
                keep = ~blank
                out_lines.append(start_lines[keep].astype(np.int32))
                out_fields.append((commas_in[keep] + 1).astype(np.int32))
                out_trailing.append(trailing[keep])
                rec_start = int(s_nl[-1]) + 1 + offset
                rec_line = line + int(np.searchsorted(nl, s_nl[-1])) + 1
                rec_commas = int(s_commas.size - np.searchsorted(s_commas, s_nl[-1]))
            else:
                rec_commas += int(s_commas.size)
            quote_count += int(quotes.size)
            line += int(nl.size)
            if nl.size:
                line_start = int(nl[-1]) + 1 + offset
            prev_byte = int(b[-1]) if n else prev_byte
            offset += n
    # --- the last record, when the file does not end with a newline
    if rec_start < size:
        with open(path, "rb") as f:
            f.seek(rec_start)
            tail = f.read(2)
        only_cr = size - rec_start == 1 and tail == b"\r"
        if not only_cr:
            with open(path, "rb") as f:
                f.seek(max(size - 2, rec_start))
                end = f.read()
            trailing = end.endswith(b",") or end.endswith(b",\r")
            out_lines.append(np.array([rec_line], np.int32))
            out_fields.append(np.array([rec_commas + 1], np.int32))
            out_trailing.append(np.array([trailing]))
    unclosed = None
    if quote_count % 2 == 1 and last_open is not None and not stray:
        pos, ln, start = last_open
        unclosed = (ln, _column_at(path, start, pos))
    layout = Layout(
        lines=np.concatenate(out_lines) if out_lines else np.zeros(0, np.int32),
        fields=np.concatenate(out_fields) if out_fields else np.zeros(0, np.int32),
        trailing_comma=np.concatenate(out_trailing) if out_trailing else np.zeros(0, bool),
        unclosed_quote=unclosed,
    )
    layout.stray_quotes = [(ln, _column_at(path, start, pos)) for pos, ln, start in stray]
    layout.nul_bytes = [(ln, _column_at(path, start, pos)) for pos, ln, start in nuls]
    return layout


def _where(pos: int, b: np.ndarray, nl: np.ndarray, line: int, line_start: int,
           offset: int) -> tuple[int, int, int]:
    """(absolute byte, physical line, absolute start of that line) of byte ``pos`` of
    the chunk ``b`` that starts at ``offset`` on ``line`` (whose start is ``line_start``)."""
    k = int(np.searchsorted(nl, pos))
    start = line_start if k == 0 else int(nl[k - 1]) + 1 + offset
    return pos + offset, line + k, start
