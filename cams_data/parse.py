"""The workbook parse that runs in a sandbox worker (read.py, sandbox.py).

A module of its own, importing only the reader and Arrow, so that a fresh worker starts parsing
without first importing the checks, the CSV reader and the settings it never uses.
"""

from __future__ import annotations


def parse_sheets(data: bytes) -> list[tuple[str, bytes, bool]]:
    """Each sheet's name, its cells as text (an Arrow IPC stream) and whether it is hidden in the
    workbook (run in a worker: the reader can abort or allocate without bound on a file nobody
    thought of)."""
    import fastexcel
    import pyarrow as pa

    tables = []
    try:
        reader = fastexcel.read_excel(data)
        for name in reader.sheet_names:
            sheet = reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
            cells = sheet.to_arrow()
            stream = pa.BufferOutputStream()
            with pa.ipc.new_stream(stream, cells.schema) as writer:
                writer.write(cells)
            tables.append((name, stream.getvalue().to_pybytes(), sheet.visible != "visible"))
    except MemoryError:
        raise  # the worker reports the memory limit
    except BaseException as error:  # fastexcel's own types, and Rust panics (BaseException)
        raise RuntimeError(str(error)) from None  # a plain type, so the message crosses over
    return tables
