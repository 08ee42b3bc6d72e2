"""`pocketstack list`'s run: options resolved, flags checked, pages read, and the table
printed (or redrawn with --watch); the listed ids and names kept for shell completion."""

from __future__ import annotations

from pocketstack.cli import output
from pocketstack.cli.commands.list.options import load_saved_defaults, resolve_options
from pocketstack.cli.commands.list.paging import collect, fetch_progress, fill_names, sort_rows
from pocketstack.cli.commands.list.query import (
    UsageError,
    all_tenants_default,
    check_gated_flags,
    check_time,
    parse_sort,
    resolve_filters,
    search_options,
)
from pocketstack.cli.display import display_for
from pocketstack.cli.errors import CommandError
from pocketstack.cli.terminal import isatty

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.commands.list.options import ListOptions
    from pocketstack.cli.commands.list.paging import Table
    from pocketstack.cli.context import Context
    from pocketstack.client.compute import ComputeClient


def check_flags(args: Namespace, options: ListOptions) -> None:
    """The combinations nova refuses, and --limit's range.

    The flag's --limit only: a saved limit was checked where the file was read, with the
    file's name and line in the message."""
    if args.minimal and (options.long or args.fields):
        raise CommandError("--minimal cannot be combined with --long or --fields")
    if options.long and args.fields:
        raise CommandError("--long cannot be combined with --fields")
    if args.limit is not None and args.limit < -1:
        raise CommandError(f"Invalid --limit value: {args.limit} (use -1 for every page)")


def list_servers(
    args: Namespace,
    options: ListOptions,
    compute: ComputeClient,
    *,
    environ: Mapping[str, str],
    stderr: Any,
) -> Table:
    """Everything `list` does but printing: flags checked, names resolved, pages read."""
    check_flags(args, options)
    all_tenants = args.all_tenants
    if all_tenants is None:
        all_tenants = all_tenants_default(environ)
    sort_keys, sort_dirs = parse_sort(args.sort)
    if args.changes_since:
        check_time(args.changes_since, name="changes-since")
    version = compute.api_version
    check_gated_flags(args, version)
    if args.changes_before:
        check_time(args.changes_before, name="changes-before")
    image_id, flavor_id = resolve_filters(args, compute)
    if args.tenant:
        # nova: searching by tenant only works across tenants.
        all_tenants = 1
    opts = search_options(
        args, version=version, image_id=image_id, flavor_id=flavor_id, all_tenants=all_tenants
    )
    machine = options.output_format in ("json", "yaml")
    progress = None
    if options.limit == -1 and isatty(stderr):
        progress = fetch_progress(stderr)
    table, pending = collect(
        compute.servers.pages(
            detailed=not args.minimal,
            search_opts=opts,
            marker=args.marker,
            limit=options.limit,
            sort_keys=sort_keys,
            sort_dirs=sort_dirs,
        ),
        args=args,
        options=options,
        version=version,
        all_tenants=bool(all_tenants),
        machine=machine,
        progress=progress,
    )
    if options.long:
        fill_names(table, pending, compute=compute, machine=machine)
    sort_rows(table, args=args, options=options)
    return table


def read_servers(
    args: Namespace,
    options: ListOptions,
    compute: ComputeClient,
    *,
    environ: Mapping[str, str],
    stderr: Any,
) -> Table:
    """list_servers, started over once at the negotiated version if the version the client
    assumed was refused (a server older than CLIENT_MAX) or not confirmed (no microversions):
    the flags allowed, the query and the columns all depend on the version."""
    from pocketstack.client.errors import MicroversionNotConfirmed, NotAcceptable

    try:
        return list_servers(args, options, compute, environ=environ, stderr=stderr)
    except (NotAcceptable, MicroversionNotConfirmed):
        if not compute.version_assumed:
            raise
    compute.renegotiate()
    return list_servers(args, options, compute, environ=environ, stderr=stderr)


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.client.compute import ComputeClient

    # The user's saved defaults (config file) fill in what the flags left out.
    options = resolve_options(
        args, load_saved_defaults(ctx.environ, cloud=ctx.settings.os_cloud)
    )
    s = ctx.settings
    compute = ComputeClient(
        ctx.session,
        api_version=s.os_compute_api_version or "2.latest",
        service_type=s.service_type or "compute",
        interface=s.os_interface,
        region_name=s.os_region_name,
        service_name=s.service_name,
        endpoint_override=s.os_endpoint_override,
        cache=ctx,
        # The seed's three requests when cold: no GET of the version root first.
        assume_newest=True,
    )
    if args.watch is not None:

        def refresh() -> Table:
            paused = _pause_gc()
            try:
                return read_servers(args, options, compute, environ=ctx.environ, stderr=None)
            finally:
                _resume_gc(paused)

        try:
            return watch(args, options, ctx, refresh)
        except UsageError as exc:
            return _usage_error(exc, ctx)
    paused = _pause_gc()
    try:
        try:
            table = read_servers(args, options, compute, environ=ctx.environ, stderr=ctx.stderr)
        except UsageError as exc:
            return _usage_error(exc, ctx)
        output.print_list(
            table.titles,
            table.rows,
            output_format=options.output_format,
            columns=options.columns,
            sort_columns=args.sort_columns,
            sort_descending=args.sort_descending,
            stream=ctx.stdout,
            display=display_for(options, environ=ctx.environ, stream=ctx.stdout),
            # Text rows are str cell by cell already (Column.text).
            preformatted=options.output_format not in ("json", "yaml"),
        )
        # Ids and names for shell completion of --marker/--name.
        remember(table.titles, table.rows, ctx)
    finally:
        _resume_gc(paused)
    return 0


def watch(args: Namespace, options: ListOptions, ctx: Context, fetch: Callable[[], Any]) -> int:
    """Run --watch: `fetch` returns the list's Table (titles, rows) each refresh."""
    from pocketstack.cli.watch import Watcher

    if options.output_format != "table":
        raise CommandError("--watch redraws a table; it cannot be combined with -f "
                           f"{options.output_format}")
    watcher = Watcher(
        fetch=fetch,
        interval=float(args.watch),
        stream=ctx.stdout,
        display=display_for(options, environ=ctx.environ, stream=ctx.stdout),
        columns=list(options.columns),
        environ=ctx.environ,
        title=f"Every {args.watch:g}s: pocketstack list",
    )
    return watcher.run()


def remember(titles: Sequence[str], rows: Sequence[Sequence[Any]], ctx: Context) -> None:
    """Keep the listed ids and names for shell completion (never read over the network)."""
    if ctx.settings.no_cache:
        return
    from pocketstack.cli import servercache

    servercache.save(titles, rows, directory=servercache.directory(ctx), warn=ctx.stderr.write)


def _usage_error(exc: UsageError, ctx: Context) -> int:
    # What our argparse parser prints for a flag it does not know (pocketstack.cli.parser),
    # as nova refuses the flags below their microversion.
    from pocketstack.cli.errors import usage_error_text

    ctx.stderr.write(
        usage_error_text("pocketstack list [options]", str(exc), command="pocketstack list")
    )
    return 2


def _pause_gc() -> bool:
    """Stop the cyclic garbage collector while a listing is read and printed.

    A listing allocates millions of containers (decoded pages, rows) and none is part of a
    cycle: the collector would rescan them over and over and free nothing, which cost a
    10,000-server listing ~40% of its client CPU. Reference counting still frees each page
    as soon as its rows are built, so memory stays bounded by what is printed.
    Returns whether the collector was running (to resume it)."""
    import gc

    running = gc.isenabled()
    gc.disable()
    return running


def _resume_gc(running: bool) -> None:
    if running:
        import gc

        gc.enable()
