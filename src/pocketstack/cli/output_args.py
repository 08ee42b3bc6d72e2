"""The output flags of the commands that print through pocketstack.cli.output: -f, -c,
--sort-column and the table's --max-width/--fit-width/--no-color."""

from __future__ import annotations

from pocketstack.cli.output import FORMATS, SHOW_FORMATS

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pocketstack.cli.argspec import ArgumentParserLike


def add_list_arguments(parser: ArgumentParserLike) -> None:
    group = parser.add_argument_group("output formatters")
    group.add_argument(
        "-f",
        "--format",
        dest="output_format",
        choices=FORMATS,
        # None = not given, so a saved default (pocketstack.cli.userconfig) can fill it in;
        # print_list reads None as table.
        default=None,
        help="Output format (default table)",
    )
    group.add_argument(
        "-c",
        "--column",
        dest="columns",
        action="append",
        default=[],
        metavar="COLUMN",
        help="Show only this column (repeatable)",
    )
    group.add_argument(
        "--sort-column",
        dest="sort_columns",
        action="append",
        default=[],
        metavar="SORT_COLUMN",
        help="Sort rows by this column (repeatable)",
    )
    group.add_argument(
        "--sort-descending",
        dest="sort_descending",
        action="store_true",
        default=False,
        help="Sort --sort-column descending",
    )
    table = parser.add_argument_group("table formatter")
    table.add_argument(
        "--max-width",
        dest="max_width",
        metavar="<integer>",
        type=int,
        default=None,
        help="Maximum display width, <1 to disable; wraps cells to fit "
        "(default from env[CLIFF_MAX_TERM_WIDTH])",
    )
    table.add_argument(
        "--fit-width",
        dest="fit_width",
        action="store_true",
        default=None,
        help="Fit the table to the terminal width by wrapping cells; implied by --max-width "
        "greater than 0 (env[CLIFF_FIT_WIDTH]=1 to always fit)",
    )
    table.add_argument(
        "--no-color",
        "--no-colour",
        dest="no_color",
        action="store_true",
        default=False,
        help="Do not colour the table (also: env[NO_COLOR] set, or output not a terminal)",
    )


def add_show_arguments(parser: ArgumentParserLike) -> None:
    group = parser.add_argument_group("output formatters")
    group.add_argument(
        "-f",
        "--format",
        dest="output_format",
        choices=SHOW_FORMATS,
        default="table",
        help="Output format (default table)",
    )
    group.add_argument(
        "-c",
        "--column",
        dest="columns",
        action="append",
        default=[],
        metavar="COLUMN",
        help="Show only this field (repeatable)",
    )

