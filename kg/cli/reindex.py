"""``kg reindex``: bring an older store's index triples up to kg's index format, no rebuild."""

from __future__ import annotations

from kg.cli._app import StoreOption, app, note
from kg.index import INDEX_FORMAT
from kg.reindex import reindex
from kg.sinks import default_store_path, open_store

__all__ = ["reindex_command"]


@app.command("reindex")
def reindex_command(store: StoreOption = None) -> None:
    """Add the index keys of kg's index format to a store built by an older kg (kg.reindex).

    The keys come from each trial graph's own quads, the same a fresh build writes; the
    statistics graph then says the store's new index format, and the named queries use the
    variants that read it. Graphs already of the format are left as they are.

    Example: kg reindex --store ~/kg-store
    """
    oxstore = open_store(store or default_store_path(), read_only=False)
    report = reindex(oxstore)
    oxstore.flush()
    note(
        f"kg: {report.upgraded:,} trial graphs given the index keys of format {INDEX_FORMAT} "
        f"({report.quads:,} quads), {report.current:,} already of it; the store's index format: "
        f"{report.store_format or 'none (a trial graph has no index triples: rebuild it)'}"
    )
