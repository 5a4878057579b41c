"""click in Vietnamese, and how a run ends when it cannot finish.

click writes its help and its usage errors in English through gettext; the
catalogue below gives the Vietnamese for every phrase a clerk can meet, and is
installed into click's modules when the CLI is imported. `Group.main` is the
one place a run ends: a usage error, a stop signal (Ctrl-C, SIGTERM, SIGHUP)
or an operating-system error (full disk, no permission) becomes one Vietnamese
line and its own exit code, never a traceback or click's "Aborted!".
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types
import rich.console
import rich.text
from rich.markup import escape

from pipeline.core.text import visible
from pipeline.errors import Stopped, os_failure

USAGE_EXIT = 2
OS_EXIT = 2

CATALOGUE = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Tham số",
    "Show this message and exit.": "In hướng dẫn này rồi thoát.",
    "Show the version and exit.": "In phiên bản rồi thoát.",
    "default: {default}": "mặc định: {default}",
    "default": "mặc định",
    "env var: {var}": "biến môi trường: {var}",
    "required": "bắt buộc",
    "Error: {message}": "Lỗi: {message}",
    "Aborted!": "Đã dừng.",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: {command} {option}",
    "No such command {name!r}.": "Không có lệnh «{name}».",
    "No such option {name!r}.": "Không có tùy chọn «{name}».",
    "No such option: {name}": "Không có tùy chọn «{name}».",
    "Did you mean {possibility}?": "Có phải ý là {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Có phải ý là một trong: {possibilities}?)",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing command.": "Thiếu lệnh.",
    "argument": "tham số",
    "option": "tùy chọn",
    "parameter": "tham số",
    "unknown error": "lỗi không rõ",
    "Option {name!r} requires an argument.": "Tùy chọn «{name}» cần một giá trị.",
    "Option {name!r} requires {nargs} arguments.": "Tùy chọn «{name}» cần {nargs} giá trị.",
    "Option {name!r} does not take a value.": "Tùy chọn «{name}» không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Tham số «{name}» cần {nargs} giá trị.",
    "Got unexpected extra argument ({args})": "Thừa tham số ({args})",
    "Got unexpected extra arguments ({args})": "Thừa tham số ({args})",
    "{value!r} is not a valid {number_type}.": "«{value}» không phải là số hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng cho phép {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "«{value}» không phải là giá trị đúng/sai. Các giá trị được nhận: {states}",
    "{value!r} is not one of {choices}.": "«{value}» không thuộc các giá trị {choices}.",
    "{value!r} is not {choice}.": "«{value}» không phải là {choice}.",
}


def _translate(message: str) -> str:
    return CATALOGUE.get(message, message)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


def install() -> None:
    """Make click's modules look their phrases up in `CATALOGUE` (they import gettext's `_`)."""
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        if hasattr(module, "_"):
            setattr(module, "_", _translate)  # noqa: B010 (click's own name for gettext)
        if hasattr(module, "ngettext"):
            setattr(module, "ngettext", _ntranslate)  # noqa: B010


class Integer(click.ParamType):
    """A whole number, refused in Vietnamese ("«abc» không phải là số nguyên")."""

    name = "số"

    def __init__(self, minimum: int | None = None) -> None:
        self.minimum = minimum

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"«{value}» không phải là số nguyên", param, ctx)
        if self.minimum is not None and number < self.minimum:
            self.fail(f"{number} nhỏ hơn {self.minimum}; cần một số từ {self.minimum} trở lên", param, ctx)
        return number


class Command(click.Command):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[TÙY_CHỌN]")
        super().__init__(*args, **kwargs)


STOP_MESSAGES = {
    signal.SIGINT: "Đã dừng theo yêu cầu (Ctrl-C)",
    signal.SIGTERM: "Đã dừng vì nhận tín hiệu dừng (SIGTERM)",
    signal.SIGHUP: "Đã dừng vì cửa sổ dòng lệnh bị đóng (SIGHUP)",
}
STOPPED_TAIL = ": chưa ghi gì, văn bản lần trước giữ nguyên"
# distribute may have sent letters before the stop: those are in the record, and only those.
STOPPED_SENDING_TAIL = (": bộ văn bản lần trước giữ nguyên; thư nào đã gửi đều đã ghi trong sổ theo dõi gửi thư, "
                        "chạy lại make distribute SEND=1 để gửi tiếp phần còn lại")


class Group(click.Group):
    """The command group: Vietnamese usage errors, and every way a run can end."""

    command_class = Command

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[TÙY_CHỌN]")
        kwargs.setdefault("subcommand_metavar", "LỆNH [THAM_SỐ]...")
        super().__init__(*args, **kwargs)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run a command; end with its exit code, or one Vietnamese line and the code of what stopped it."""
        previous = _catch_stop_signals()
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.format_message(), err=True)
            code = USAGE_EXIT
        except click.UsageError as exc:
            _say(f"Lỗi: {exc.format_message()}")
            if exc.ctx is not None:
                _say(f"Xem hướng dẫn: {exc.ctx.command_path} --help")
            code = USAGE_EXIT
        except click.ClickException as exc:
            _say(f"Lỗi: {exc.format_message()}")
            code = exc.exit_code
        except (Stopped, KeyboardInterrupt, click.Abort) as exc:
            signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
            _quiet_stop_signals()
            argv = list(args) if args is not None else sys.argv[1:]
            sending = "distribute" in argv and "--send" in argv
            _say(STOP_MESSAGES[signal.Signals(signum)] + (STOPPED_SENDING_TAIL if sending else STOPPED_TAIL))
            _leave(128 + signum)
        except OSError as exc:
            _say(f"Lỗi: {os_failure(exc)}")
            code = OS_EXIT
        finally:
            for signum, handler in previous.items():  # in-process callers (tests) get theirs back
                signal.signal(signum, handler)
        sys.exit(code if isinstance(code, int) else 0)

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if args and self.get_command(ctx, name) is None and not name.startswith("-"):
            ctx.fail(f"Không có lệnh «{name}»; các lệnh: {', '.join(self.list_commands(ctx))}")
        return super().resolve_command(ctx, args)


def _catch_stop_signals() -> dict:
    """Ctrl-C, SIGTERM and SIGHUP unwind the run like an exception: the staging folder
    is removed and the lock released on the way out (see publisher.publish)."""
    return {signum: signal.signal(signum, _raise_stopped) for signum in STOP_MESSAGES}


def _raise_stopped(signum: int, _frame) -> None:
    _quiet_stop_signals()  # a second Ctrl-C must not interrupt the clean-up of the first
    raise Stopped(signum)


def _quiet_stop_signals() -> None:
    for signum in STOP_MESSAGES:
        signal.signal(signum, signal.SIG_IGN)


def _leave(code: int) -> None:
    """End a stopped run now. The staging folder and the lock are already cleaned up on the
    way here; what is left (a pool's manager thread, atexit joins) may wait on a lock the
    interrupted code held, so it is not waited for."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _say(line: str) -> None:
    """One line on stderr; after SIGHUP the terminal may be gone, and that is no error."""
    with contextlib.suppress(OSError):
        click.echo(line, err=True)


install()


# Sent to a file or a pipe, a line is as long as it is: no reader's window to fit, and a
# line cut at 80 columns cuts e-mail addresses and paths in two. (Far beyond any line we print:
# messages quoting data are shortened by pipeline.core.text.brief.)
UNWRAPPED_WIDTH = 10_000


class Console(rich.console.Console):
    """rich's console, fitted to the terminal on a terminal; sent to a file or pipe, never wrapped."""

    @property
    def size(self) -> rich.console.ConsoleDimensions:
        if self.is_terminal:
            return super().size
        return rich.console.ConsoleDimensions(UNWRAPPED_WIDTH, 25)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        rich.console.Console.size.fset(self, new_size)  # type: ignore[attr-defined]


class PlainLogHandler(logging.Handler):
    """Log lines for a file or pipe: "WARNING  message", one line each (RichHandler pads every line
    to the console's width)."""

    def __init__(self, console: rich.console.Console) -> None:
        super().__init__()
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        message = self.format(record)
        self.console.print(rich.text.Text(f"{record.levelname:<8} {message}"), soft_wrap=True)


def shown(value: object) -> str:
    """Data (a cell's text, a file name, a path) as console markup that prints it literally:
    rich markup escaped, control and invisible characters as visible escapes (\\x1b, \\u202e)."""
    return escape(visible(str(value)))
