"""`pocketstack list`'s pages -> rows: each page turned into printed rows as it arrives,
--long's image and flavor names filled in afterwards, and nova's order by Name."""

from __future__ import annotations

from pocketstack.cli.commands.list.columns import (
    ID_COLUMN,
    NAME_COLUMN,
    dash,
    default_columns,
    fields_columns,
)

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from typing import Any

    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.commands.list.columns import Column
    from pocketstack.cli.commands.list.options import ListOptions
    from pocketstack.client.compute import ComputeClient, Server
    from pocketstack.client.compute.versions import APIVersion

BFV_IMAGE = "N/A (booted from volume)"


class Table:
    """What `list` prints: titles and rows (text for table/csv/value, raw for json/yaml)."""

    __slots__ = ("rows", "titles")

    def __init__(self, *, titles: list[str], rows: list[list[Any]]) -> None:
        self.titles = titles
        self.rows = rows


def fetch_progress(stream: Any) -> Callable[[int, bool], None]:
    def show(count: int, more: bool) -> None:
        if more:
            stream.write(f"\rFetched {count} servers...")
        else:
            stream.write("\r\x1b[K")
        stream.flush()

    return show


def collect(
    pages: Iterable[list[Server]],
    *,
    args: Namespace,
    options: ListOptions,
    version: APIVersion,
    all_tenants: bool,
    machine: bool,
    progress: Callable[[int, bool], None] | None,
) -> tuple[Table, list[tuple[str | None, str | None, str | None]]]:
    """Turn pages into printed rows as they come (a page's servers are dropped once read).

    Also returns, per row, what --long still has to name: (image id, flavor id, flavor name).
    """
    columns: list[Column] | None = None
    readers: list[Callable[[Mapping[str, Any]], Any]] = []
    rows: list[list[Any]] = []
    pending: list[tuple[str | None, str | None, str | None]] = []
    # check_gated_flags has refused --changes-before below 2.66 already.
    changes = bool(args.changes_since or args.changes_before)
    count = 0
    iterator: Iterator[list[Server]] = iter(pages)
    for page in iterator:
        if columns is None and page:
            columns = _columns_for(
                args,
                options,
                page[0],
                version=version,
                all_tenants=all_tenants,
                changes=changes,
                show_host="OS-EXT-SRV-ATTR:host" in page[0].raw,
            )
            # Each column's reader, looked up once rather than once per cell.
            readers = [c.raw if machine else c.text for c in columns]
        append = rows.append
        for server in page:
            raw = server.raw
            append([read(raw) for read in readers])
            if options.long:
                pending.append(
                    (
                        server.image_id if server.raw.get("image") else "",
                        server.flavor_id,
                        server.flavor_name,
                    )
                )
        count += len(page)
        if progress is not None:
            progress(count, True)
    if progress is not None:
        progress(count, False)
    if columns is None:
        columns = _columns_for(
            args,
            options,
            None,
            version=version,
            all_tenants=all_tenants,
            changes=changes,
            show_host=False,
        )
    return Table(titles=[c.title for c in columns], rows=rows), pending


def _columns_for(
    args: Namespace,
    options: ListOptions,
    first: Server | None,
    *,
    version: APIVersion,
    all_tenants: bool,
    changes: bool,
    show_host: bool,
) -> list[Column]:
    if args.minimal:
        return [ID_COLUMN, NAME_COLUMN]
    if args.fields and first is not None:
        # As nova: fields are checked against the first server, and only when there is one.
        return [ID_COLUMN, *fields_columns(args.fields, first, version=version)]
    return default_columns(
        all_tenants=all_tenants, changes=changes, long=options.long, show_host=show_host
    )


def fill_names(
    table: Table,
    pending: Sequence[tuple[str | None, str | None, str | None]],
    *,
    compute: ComputeClient,
    machine: bool,
) -> None:
    """--long: image names in one `id=in:` request, flavor names from the servers (2.47+) or
    one flavor listing. A failed lookup leaves the id shown: the listing stays useful."""
    from pocketstack.client.errors import ClientError

    if not pending:
        return
    image_column = table.titles.index("Image Name")
    flavor_column = table.titles.index("Flavor Name")
    image_ids = {image for image, _, _ in pending if image}
    images: dict[str, str] = {}
    if image_ids:
        try:
            images = {i: img.name or "" for i, img in compute.images.by_ids(image_ids).items()}
        except ClientError:
            images = {}
    flavors: dict[str, str] = {}
    if any(name is None and flavor for _, flavor, name in pending):
        try:
            flavors = {flavor.id: flavor.name for flavor in compute.flavors.list()}
        except ClientError:
            flavors = {}
    for row, (image_id, flavor_id, flavor_name) in zip(table.rows, pending, strict=True):
        if image_id == "":
            image = BFV_IMAGE
        elif image_id is None:
            image = None
        else:
            image = images.get(image_id, image_id)
        flavor = (
            flavor_name
            if flavor_name is not None
            else (flavors.get(flavor_id, flavor_id) if flavor_id else None)
        )
        row[image_column] = image if machine else dash(image)
        row[flavor_column] = flavor if machine else dash(flavor)


def _sort_text(value: Any) -> tuple[int, str]:
    return (0, "") if value is None else (1, str(value))


def sort_rows(table: Table, *, args: Namespace, options: ListOptions) -> None:
    """nova sorts the table by Name (ties by the other columns, as prettytable does) unless
    --sort asked the server for an order or --sort-column asks the output layer for one."""
    if args.sort or args.sort_columns or "Name" not in table.titles:
        return
    index = table.titles.index("Name")
    if options.output_format in ("json", "yaml"):
        table.rows.sort(key=lambda row: [_sort_text(row[index]), *map(_sort_text, row)])
    else:
        # Text rows hold only str, for which comparing the _sort_text keys is comparing
        # the strings themselves: the same order without a key tuple per cell.
        table.rows.sort(key=lambda row: (row[index], row))

