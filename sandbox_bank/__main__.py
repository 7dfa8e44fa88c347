"""python -m sandbox_bank [--host 127.0.0.1] [--port 5001]: run the sandbox bank (development only)."""
from __future__ import annotations

import argparse
import sys

from werkzeug.serving import run_simple

from sandbox_bank import SandboxRefused, create_app


def main() -> int:
    parser = argparse.ArgumentParser(description="沙箱银行 (sandbox payment gateway, development only)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    args = parser.parse_args()
    try:
        app = create_app()
    except SandboxRefused as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"沙箱银行 listening on http://{args.host}:{args.port}/gateway.do", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
