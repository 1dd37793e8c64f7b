"""Read the quantized coefficients of a rebuilt stream with jpeglib, in a child process.

libjpeg and jpeglib's C wrapper are the one place where a crafted file can corrupt memory; the rebuilt stream
(:mod:`.rebuild`) removes the cases we know of, and the child process contains the ones we do not: a crash
there is one line for the user ("libjpeg crashed on it"), not the death of the application, and libjpeg's
messages go to a file of the child's instead of through the parent's file descriptor 2.

The child runs with an address-space limit sized from the declared block counts and a time limit sized from
the pixel count; it writes a small JSON header and the int16 blocks to a private temporary folder, and the
parent reads exactly the number of bytes the frame header implies. The cost is starting Python with numpy
and jpeglib once per file, a small part of what starting the command line with torch takes (the figures are
in benchmarks/results/README.md).

The child is this module's :func:`child_main`, started by :func:`read_coefficients`.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .errors import InvalidJpegError
from .rebuild import CleanStream

LIBJPEG = "turbo210"
"""The libjpeg build jpeglib loads in the child: libjpeg-turbo 2.1, the most hardened of those it ships."""
CHILD_ARGUMENT = "--read-jpeg-coefficients"
"""First argument that makes a frozen (PyInstaller) application run as this child (packaging/launcher.py)."""
CHILD_BASE_ADDRESS_SPACE = 1 << 30
"""Address space of the child before the file: Python, numpy, jpeglib and libjpeg mapped in."""
READ_SECONDS = 20.0
"""Time the child gets, plus READ_SECONDS_PER_MP per megapixel: orders of magnitude above what libjpeg
needs, so the limit stops a hang, never a slow machine."""
READ_SECONDS_PER_MP = 2.0
CORRUPTION_WARNINGS = (
    "Corrupt JPEG data",
    "Premature end of JPEG file",
    "Invalid SOS parameters",
    "Inconsistent progression sequence",
)
"""libjpeg warnings (printed, not raised) that mean the image data is damaged."""
_MESSAGE_BYTES = 1 << 16


def read_coefficients(stream: CleanStream) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(int16 (rows, cols, 8, 8) blocks per component, int64 (8, 8) table per component) of ``stream``.

    Raises InvalidJpegError when libjpeg refuses the stream, warns that it is damaged, crashes or runs over
    its time or memory limit.
    """
    shapes = stream.frame.component_blocks()
    block_bytes = 128 * sum(rows * cols for rows, cols in shapes)
    with tempfile.TemporaryDirectory(prefix="jpeg-explorer-read-") as name:
        folder = Path(name)
        (folder / "stream.jpg").write_bytes(stream.data)
        with open(folder / "libjpeg.txt", "wb") as log:
            returncode = _run_child(
                folder,
                CHILD_BASE_ADDRESS_SPACE + 3 * block_bytes,
                log,
                timeout=READ_SECONDS + READ_SECONDS_PER_MP * stream.frame.pixels / 1e6,
            )
        return read_results(folder, returncode, shapes)


def read_results(
    folder: Path, returncode: int, shapes: list[tuple[int, int]]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """What the child that exited with ``returncode`` left in ``folder`` (libjpeg.txt, header.json,
    blocks.bin), checked against the block grids ``shapes`` the frame header implies; the parent's only
    parsing of the child's bytes. Raises InvalidJpegError as :func:`read_coefficients` does."""
    messages = _messages(folder / "libjpeg.txt")
    if returncode < 0:
        raise InvalidJpegError(
            f"the file is corrupt (libjpeg crashed on it: {_signal_name(-returncode)}; "
            "it ran in a separate process, so nothing else was affected)"
        )
    header = _read_header(folder / "header.json")
    if returncode != 0 or "error" in header:
        detail = next(iter(messages), None) or header.get("error") or f"exit status {returncode}"
        raise InvalidJpegError(f"the file is corrupt (libjpeg: {_one_line(detail)})")
    damage = [line for line in messages if line.startswith(CORRUPTION_WARNINGS)]
    if damage:
        raise InvalidJpegError(f"the file is corrupt (libjpeg: {damage[0]})")
    return _read_blocks(folder / "blocks.bin", header, shapes), _tables(header, len(shapes))


def _run_child(folder: Path, address_limit: int, log: BinaryIO, timeout: float) -> int:
    """Run the child on ``folder``, its stderr into ``log``; its return code (negative: killed by that signal)."""
    command = [*_child_command(), str(folder), str(address_limit)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    try:
        return subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            env=env,
            timeout=timeout,
            check=False,
        ).returncode
    except subprocess.TimeoutExpired:
        raise InvalidJpegError(
            f"the file is corrupt or hostile (libjpeg did not finish reading it in {timeout:.0f} s)"
        ) from None
    except OSError as error:
        raise InvalidJpegError(f"the JPEG reader could not be started ({error.strerror})") from None


_BOOTSTRAP = (
    "import sys; root = sys.argv.pop(1); sys.path.insert(0, root) if root not in sys.path else None; "
    "from explorer_app.codec.coefficient_reader import child_main; sys.exit(child_main(sys.argv[1:]))"
)
"""The child's program: this very explorer_app (the folder holding it first on the path unless it is there
already, as for an installed package), then :func:`child_main`."""


def _signal_name(number: int) -> str:
    """SIGSEGV, or "signal 37" for a number without a name (the real-time signals, sent by hand)."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _child_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, CHILD_ARGUMENT]
    return [sys.executable, "-c", _BOOTSTRAP, str(Path(__file__).resolve().parents[2])]


def _messages(path: Path) -> list[str]:
    """The non-empty lines libjpeg printed (the first 64 KiB of them)."""
    with open(path, "rb") as stream:
        lines = stream.read(_MESSAGE_BYTES).decode(errors="replace").splitlines()
    return [line.strip() for line in lines if line.strip()]


def _one_line(value: object) -> str:
    """``value`` as text on one line (what the child wrote into its JSON may hold newlines)."""
    return " ".join(str(value).split())


def _read_header(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as stream:
            header = json.loads(stream.read(_MESSAGE_BYTES))
    except (OSError, ValueError, RecursionError):  # RecursionError: nested too deeply
        return {"error": "no result from the reader"}
    return header if isinstance(header, dict) else {"error": "a malformed result from the reader"}


def _read_blocks(path: Path, header: dict[str, Any], shapes: list[tuple[int, int]]) -> list[np.ndarray]:
    """The blocks, checked to have exactly the shapes the frame header implies."""
    if header.get("shapes") != [list(shape) for shape in shapes]:
        raise InvalidJpegError(
            f"the file is corrupt (libjpeg read block grids {_one_line(header.get('shapes'))}, the frame "
            f"header implies {[list(s) for s in shapes]})"
        )
    total = sum(rows * cols * 64 for rows, cols in shapes)
    if not path.is_file() or path.stat().st_size != 2 * total:
        raise InvalidJpegError("the file is corrupt (the reader returned an incomplete set of blocks)")
    flat = np.fromfile(path, dtype=np.int16, count=total)
    arrays, start = [], 0
    for rows, cols in shapes:
        arrays.append(flat[start : start + rows * cols * 64].reshape(rows, cols, 8, 8))
        start += rows * cols * 64
    return arrays


def _tables(header: dict[str, Any], count: int) -> list[np.ndarray]:
    tables = header.get("tables")
    if (
        not isinstance(tables, list)
        or len(tables) != count
        or any(not isinstance(t, list) or len(t) != 64 or not all(_is_table_entry(v) for v in t) for t in tables)
    ):
        raise InvalidJpegError("the file is corrupt (the reader returned malformed quantization tables)")
    return [np.asarray(t, dtype=np.int64).reshape(8, 8) for t in tables]


def _is_table_entry(value: object) -> bool:
    """A quantization table entry libjpeg can hold: an integer in 0…65535 (a zero is refused later, by name)."""
    return type(value) is int and 0 <= value <= 0xFFFF


def child_main(arguments: list[str]) -> int:
    """The child: read FOLDER/stream.jpg, write FOLDER/header.json and FOLDER/blocks.bin."""
    folder, address_limit = Path(arguments[0]), int(arguments[1])
    resource.setrlimit(resource.RLIMIT_AS, (address_limit, address_limit))
    import jpeglib

    jpeglib.version.set(LIBJPEG)
    try:
        dct = jpeglib.read_dct(str(folder / "stream.jpg"))
        dct.load()
        components = [c for c in (dct.Y, dct.Cb, dct.Cr) if c is not None]
        tables = [np.asarray(dct.qt[int(i)]).ravel().tolist() for i in dct.quant_tbl_no[: len(components)]]
    except (OSError, ValueError, IndexError, MemoryError) as error:
        (folder / "header.json").write_text(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        return 1
    with open(folder / "blocks.bin", "wb") as blocks:
        for component in components:
            np.ascontiguousarray(component, dtype=np.int16).tofile(blocks)
    header = {"shapes": [list(c.shape[:2]) for c in components], "tables": tables}
    (folder / "header.json").write_text(json.dumps(header))
    return 0
