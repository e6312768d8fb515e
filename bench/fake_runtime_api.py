"""A fake AWS Lambda Runtime API on 127.0.0.1 that times the function's initialisation.

Starts the function RUNS times with the environment Lambda gives it (the same variables
infra/template.yaml sets, a salt, a region and dummy credentials: nothing at init talks to AWS)
and measures from just before the process starts to its first
`GET /2018-06-01/runtime/invocation/next`: the moment lambda_runtime has finished the handler's
setup and asks for work, which is where Lambda's Init Duration ends. Prints one line of figures:
the wall times, and the median time the function was on a CPU until then (all its threads, from
/proc/PID/task/*/schedstat), which a machine shared with other work changes far less.
"""

import argparse
import http.server
import json
import os
import statistics
import subprocess
import threading
import time

ready = threading.Event()


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's naming)
        if self.path == "/2018-06-01/runtime/invocation/next":
            ready.set()
            # Hold the long poll open; the run ends by killing the process.
            time.sleep(5)
        self.send_response(404)
        self.end_headers()

    def do_POST(self):  # noqa: N802
        # An init error (the function failed to start) is reported here.
        length = int(self.headers.get("content-length", 0))
        body = self.rfile.read(length).decode("utf-8", "replace")
        print(f"the function reported an error on {self.path}: {body}")
        ready.set()
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


def on_cpu_ms(pid):
    """Nanoseconds each of the process's threads has run, added up, in milliseconds."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as f:
            total += int(f.read().split()[0])
    return total / 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": "tryfirst-ask",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/tryfirst-ask",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "TRYFIRST_BUNDLE": args.bundle,
        "TRYFIRST_HASH_SALT": "bench-salt-of-enough-characters",
        "TRYFIRST_ALLOWED_ORIGIN": "https://help.example.com",
        "RUST_LOG": "warn",
    }
    times_ms = []
    cpu_ms = []
    for _ in range(args.runs):
        ready.clear()
        started = time.perf_counter()
        process = subprocess.Popen(
            args.command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = started + 60
        while not ready.wait(timeout=0.001):
            if process.poll() is not None or time.perf_counter() > deadline:
                process.kill()
                stderr = process.communicate()[1].decode("utf-8", "replace")
                raise SystemExit(
                    f"{args.label}: the function never asked for an invocation; it said:\n{stderr}"
                )
        times_ms.append((time.perf_counter() - started) * 1000)
        cpu_ms.append(on_cpu_ms(process.pid))
        process.kill()
        process.wait()
    with open(args.bundle, encoding="utf-8") as f:
        articles = len(json.load(f)["articles"])
    size_mib = os.path.getsize(args.bundle) / 1048576
    print(
        f"{args.label:<8} {articles:>9} {size_mib:>12.1f} "
        f"{statistics.median(times_ms):>12.1f} {max(times_ms):>12.1f} {statistics.median(cpu_ms):>12.1f}"
    )


if __name__ == "__main__":
    main()
