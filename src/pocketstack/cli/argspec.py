"""Parsing the hot commands' arguments without argparse, when argparse's answer is certain.

Importing argparse (with gettext, locale, re and enum) and building a parser of ~80 options
was about a quarter of a warm `pocketstack list` (docs/startup.md; the figures are in
BENCHMARKS.md). The commands still describe their options once, through the argparse calls
they always made; an ArgumentRecorder takes those calls, and `parse` reads argv with them
when every token is a plain case: an exactly spelled option, `--flag=value`, a value that
does not look like an option (a negative number may). Anything else — help, an
abbreviation, a bad value, a stray word, `--` — returns None, and the caller hands argv to
argparse, which then gives its own answer and its own messages.
tests/unit/cli/test_argspec.py checks both give the same result.
"""

from __future__ import annotations

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, Protocol

    class ArgumentAdder(Protocol):
        """What the commands call to declare options: argparse's parsers and groups, and the
        recorder below, all answer it."""

        def add_argument(
            self,
            *flags: str,
            action: str = ...,
            dest: str | None = ...,
            nargs: str | None = ...,
            const: Any = ...,
            default: Any = ...,
            type: Callable[[str], Any] = ...,
            choices: Sequence[str] | None = ...,
            metavar: str | None = ...,
            help: str | None = ...,
        ) -> object: ...

    class ArgumentParserLike(ArgumentAdder, Protocol):
        def add_argument_group(self, title: str | None = ...) -> ArgumentAdder: ...

        def add_mutually_exclusive_group(self) -> ArgumentAdder: ...


class Namespace:
    """The parsed arguments, one attribute per option (argparse fills it on its path too)."""

    def __getattr__(self, name: str) -> Any:
        # Only reached for a name that was never set; typed Any so that `args.limit` checks.
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        # Declared so that the type checker lets argparse and the recorder set any option.
        self.__dict__[name] = value

    def __contains__(self, name: str) -> bool:
        return name in self.__dict__


_UNSET: Any = object()
_STORE = "store"
_CONST = "store_const"
_APPEND = "append"
_ACTIONS = {
    "store": _STORE,
    "store_true": _CONST,
    "store_false": _CONST,
    "store_const": _CONST,
    "append": _APPEND,
}


class _Option:
    __slots__ = (
        "choices",
        "const",
        "default",
        "dest",
        "flags",
        "group",
        "kind",
        "optional",
        "type",
    )

    def __init__(
        self,
        *,
        flags: list[str],
        dest: str,
        kind: str,
        optional: bool,
        const: Any,
        default: Any,
        type: Callable[[str], Any] | None,
        choices: Sequence[str] | None,
        group: int,
    ) -> None:
        self.flags = flags
        self.dest = dest
        self.kind = kind
        # nargs="?": the value may be left out (then `const`).
        self.optional = optional
        self.const = const
        self.default = default
        self.type = type
        self.choices = choices
        # Options of one mutually exclusive group share a number > 0.
        self.group = group


def _dest_for(flags: Sequence[str]) -> str:
    # argparse's rule: the first long flag, else the first flag, without dashes.
    chosen = next((f for f in flags if f.startswith("--")), flags[0])
    return chosen.lstrip("-").replace("-", "_")


class _Adder:
    """add_argument, for the recorder itself and for its groups."""

    __slots__ = ("_group", "_recorder")

    def __init__(self, recorder: ArgumentRecorder, group: int) -> None:
        self._recorder = recorder
        # Options of one mutually exclusive group share a number > 0.
        self._group = group

    def add_argument(
        self,
        *flags: str,
        action: str = "store",
        dest: str | None = None,
        nargs: str | None = None,
        const: Any = None,
        default: Any = _UNSET,
        type: Callable[[str], Any] | None = None,
        choices: Sequence[str] | None = None,
        metavar: str | None = None,
        help: str | None = None,
    ) -> object:
        return self._recorder._add(
            flags,
            action=action,
            dest=dest,
            nargs=nargs,
            const=const,
            default=default,
            type=type,
            choices=choices,
            group=self._group,
        )


class ArgumentRecorder(_Adder):
    """Takes a command's add_argument calls (the subset the hot commands use) and parses with
    them. Later flags replace earlier ones, as argparse's conflict_handler="resolve" does."""

    __slots__ = ("_by_flag", "_groups", "options")

    def __init__(self) -> None:
        super().__init__(self, 0)
        self.options: list[_Option] = []
        self._by_flag: dict[str, _Option] = {}
        self._groups = 0

    def add_argument_group(self, title: str | None = None) -> ArgumentAdder:
        return _Adder(self, 0)

    def add_mutually_exclusive_group(self) -> ArgumentAdder:
        self._groups += 1
        return _Adder(self, self._groups)

    def _add(
        self,
        flags: Sequence[str],
        *,
        action: str,
        dest: str | None,
        nargs: str | None,
        const: Any,
        default: Any,
        type: Callable[[str], Any] | None,
        choices: Sequence[str] | None,
        group: int,
    ) -> _Option:
        kind = _ACTIONS.get(action)
        if kind is None or nargs not in (None, "?") or not flags:
            # A programming error, caught by the tests that record every hot command.
            raise ValueError(f"the fast parser does not know action={action!r} nargs={nargs!r}")
        if not all(flag.startswith("-") for flag in flags):
            raise ValueError(f"the fast parser takes options only, not {flags!r}")
        if action == "store_true":
            const, default = True, False if default is _UNSET else default
        elif action == "store_false":
            const, default = False, True if default is _UNSET else default
        elif default is _UNSET:
            default = None
        for flag in flags:
            previous = self._by_flag.pop(flag, None)
            if previous is not None:
                previous.flags.remove(flag)
                if not previous.flags:
                    self.options.remove(previous)
        option = _Option(
            flags=list(flags),
            dest=dest or _dest_for(flags),
            kind=kind,
            optional=nargs == "?",
            const=const,
            default=default,
            type=type,
            choices=choices,
            group=group,
        )
        self.options.append(option)
        for flag in flags:
            self._by_flag[flag] = option
        return option

    def parse(self, argv: Sequence[str]) -> Namespace | None:
        """The Namespace argparse would return, or None where argparse must decide."""
        by_flag = self._by_flag
        values: dict[str, Any] = {}
        seen_groups: dict[int, _Option] = {}
        index = 0
        count = len(argv)
        while index < count:
            token = argv[index]
            index += 1
            explicit: str | None = None
            option = by_flag.get(token)
            if option is None:
                if not token.startswith("--") or "=" not in token:
                    return None
                flag, _, explicit = token.partition("=")
                option = by_flag.get(flag)
                # `--flag=--`: argparse (3.11) drops the "--" and stores nothing useful.
                if option is None or option.kind == _CONST or explicit in ("", "--"):
                    return None
            if option.group:
                other = seen_groups.setdefault(option.group, option)
                if other is not option:
                    return None
            if option.kind == _CONST:
                values[option.dest] = option.const
                continue
            if explicit is not None:
                text = explicit
            elif index < count and _is_value(argv[index]):
                text = argv[index]
                index += 1
            elif option.optional:
                values[option.dest] = option.const
                continue
            else:
                return None
            value = _convert(option, text)
            if value is _UNSET:
                return None
            if option.kind == _APPEND:
                values[option.dest] = [*(values.get(option.dest) or option.default or ()), value]
            else:
                values[option.dest] = value
        namespace = Namespace()
        for option in self.options:
            if option.dest not in namespace.__dict__:
                default = option.default
                if isinstance(default, str) and option.type is not None:
                    default = _convert(option, default)
                    if default is _UNSET:
                        return None
                setattr(namespace, option.dest, default)
        namespace.__dict__.update(values)
        return namespace


def _is_value(token: str) -> bool:
    """A token argparse takes as a value: not option-like, or a plain negative number
    (none of our flags looks like one). Anything else starting with '-' is left to argparse."""
    if not token.startswith("-"):
        return True
    number = token[1:]
    whole, dot, fraction = number.partition(".")
    if not number.isascii():
        return False
    if dot:
        return (not whole or whole.isdigit()) and fraction.isdigit()
    return whole.isdigit()


def _convert(option: _Option, text: str) -> Any:
    """The typed value, or _UNSET where argparse would refuse it (it then says why)."""
    if option.type is None:
        value: Any = text
    else:
        try:
            value = option.type(text)
        except Exception:
            return _UNSET
    if option.choices is not None and value not in option.choices:
        return _UNSET
    return value
