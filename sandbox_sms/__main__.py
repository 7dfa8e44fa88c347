"""python -m sandbox_sms [--host 127.0.0.1] [--port 5002]: run the sandbox SMS gateway (development only)."""
from __future__ import annotations

import argparse
import sys

from werkzeug.serving import run_simple

from sandbox_sms import SandboxRefused, create_app


def main() -> int:
    parser = argparse.ArgumentParser(description="沙箱短信网关 (sandbox SMS gateway, development only)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5002)
    args = parser.parse_args()
    try:
        app = create_app()
    except SandboxRefused as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"沙箱短信网关 listening on http://{args.host}:{args.port}/", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
