"""``pengaduan serve --db PATH``: the web app (Open311 and the dashboard) with uvicorn.

For local use and the demo: Open311 GeoReport v2 under ``/open311/v2/`` and the dashboard
under ``/``, for the public unless ``--staff`` (which serves the staff view to anyone who
can reach the port, so it is refused on any host but the loopback). ``--api-key`` (or the
``PENGADUAN_API_KEY`` environment variable, which ``ps`` does not show) enables
``POST requests``.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import os
import socket
import sys
from typing import Any

from pengaduan._cli._common import fail, without_password
from pengaduan._cli._definitions import add_definition_arguments, definitions
from pengaduan.exceptions import MissingExtraError, PengaduanError

DEFAULT_PORT = 8311
_LOOPBACK_NAMES = ("localhost",)


def register(subparsers: Any) -> None:
    """Add the ``serve`` command."""
    parser = subparsers.add_parser(
        "serve",
        help="serve Open311 GeoReport v2 and the dashboard over a store (needs the web extra)",
        description=(
            "Serve a store over HTTP with uvicorn: Open311 GeoReport v2 under /open311/v2/ "
            "(JSON and XML) and the dashboard under /, with the SP4N-LAPOR! workflow, SLA "
            "policy and escalation ladder (or the definition files given). Every request "
            "gets the public view (no confidential complaint, no reporter's details) unless "
            "--staff. Needs the web extra: pip install 'pengaduan[web]'."
        ),
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        required=True,
        help="the event store: a SQLite file or a postgresql:// URL",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"the port to listen on (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--api-key",
        metavar="KEY",
        help="the api_key POST requests needs (default: $PENGADUAN_API_KEY; without either, "
        "no request can be created)",
    )
    parser.add_argument(
        "--staff",
        action="store_true",
        help="serve the staff view (admin_national) to every request, without a login: only "
        "on 127.0.0.1, localhost or ::1",
    )
    parser.add_argument(
        "--jurisdiction", metavar="ID", help="the Open311 jurisdiction_id served (optional)"
    )
    parser.add_argument(
        "--lang", choices=("id", "en"), default="id", help="language of the pages (default id)"
    )
    add_definition_arguments(parser, ladder=True)
    parser.set_defaults(handler=run)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1 to 65535)")
    return int(text)


def is_loopback(host: str) -> bool:
    """Whether `host` names the loopback interface only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _listening(host: str, port: int) -> socket.socket:
    """A TCP socket bound to `host` (a name or an address, ``[::1]`` too) and `port`.

    Raises:
        OSError: If the host is unknown or the address cannot be bound (in use, not local).
    """
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    family, kind, proto, _name, address = socket.getaddrinfo(bare, port, type=socket.SOCK_STREAM)[0]
    listening = socket.socket(family, kind, proto)
    try:
        # As uvicorn binds: a restarted server may take the port of one just stopped.
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
    except OSError:
        listening.close()
        raise
    return listening


def _in_use(error: OSError) -> bool:
    return error.errno == errno.EADDRINUSE


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan serve``."""
    if args.staff and not is_loopback(args.host):
        return fail(
            f"--staff serves every complaint in full without a login, so it listens on the "
            f"loopback only (127.0.0.1, localhost or ::1), not on {args.host}; put the app "
            "behind your own authentication (pengaduan.web.create_app's viewer hook) instead"
        )
    try:
        import uvicorn

        from pengaduan.web import create_app
    except ImportError:
        raise MissingExtraError("pengaduan serve", "web") from None
    from pengaduan.access import Viewer
    from pengaduan.desk import Desk
    from pengaduan.store import open_store

    target = str(args.db)
    if "://" not in target and not os.path.exists(target):
        return fail(
            f"no store at {target}: make one with `pengaduan demo --db {target}` or "
            f"`pengaduan import FILE --db {target}`"
        )
    found = definitions(args)
    try:
        store = open_store(target, found.workflow, read_model=found.read_model())
    except (PengaduanError, OSError) as error:
        reason = str(error) if isinstance(error, PengaduanError) else error.strerror or error
        return fail(f"cannot open {without_password(target)}: {reason}")
    try:
        desk = Desk(
            store,
            workflow=found.workflow,
            policy=found.policy,
            ladder=found.ladder(),
            language=args.lang,
        )
        staff = Viewer.staff("admin_national")
        app = create_app(
            desk,
            viewer=(lambda _request: staff) if args.staff else None,
            api_key=args.api_key or os.environ.get("PENGADUAN_API_KEY") or None,
            jurisdiction_id=args.jurisdiction,
            language=args.lang,
        )
        try:
            listening = _listening(args.host, args.port)
        except OSError as error:
            # Bound here, not by uvicorn, so that a port in use or an unknown host is one line
            # and exit 2, before "serving" is printed (uvicorn logs it and exits with 3).
            return fail(
                f"cannot listen on {args.host}:{args.port}: {error.strerror or error}"
                + (" (another server uses that port: pass --port)" if _in_use(error) else "")
            )
        where = f"http://{args.host}:{args.port}"
        print(
            f"pengaduan: serving {without_password(target)} at {where}/ "
            f"(Open311: {where}/open311/v2/services.json; "
            f"{'staff' if args.staff else 'public'} view)",
            file=sys.stderr,
        )
        config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning")
        with listening, contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops it, as uvicorn.run
            uvicorn.Server(config).run(sockets=[listening])
    finally:
        store.close()
    return 0
