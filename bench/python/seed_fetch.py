#!/usr/bin/env python3
"""The seed's ThreadPoolExecutor example, timed.

This is the ThreadPoolExecutor program from the project's seed text
(shared/reference/seed.txt), kept as it is: ``load_url(url, timeout)`` reads a
page with urllib.request, every URL is submitted to a pool of 5 threads, and
the answers are reported with ``as_completed`` in the order they finish, as
``'%r page is %d bytes'`` or ``'%r generated an exception: %s'``.

The seed's URLs are public web sites; here they come from the command line, so
that ``supervisor bench --python`` can point both this program and the Go pool
at the same loopback server (plus ``http://some-made-up-domain.invalid/``,
whose name lookup always fails).

What is timed (``wall_ns``): from just before ``ThreadPoolExecutor(...)`` is
constructed to the moment ``as_completed`` has handed over the last finished
future.  Printing happens afterwards, outside the timed region; the pool's
shutdown at the end of the ``with`` block is included only in
``wall_with_shutdown_ns``.  Each result also carries ``done_ns``: when its
future came out of ``as_completed``, counted from the same start.

A URL that fails is a result like any other (as in the seed), so the exit
status is 0 even then; 2 means a usage error (one line on stderr).

Usage:
    python3 seed_fetch.py [--workers N] [--timeout S] [--json] URL...
"""

import argparse
import concurrent.futures
import json
import math
import sys
import time
import urllib.request

from cli import OneLineParser, positive_int

DEFAULT_WORKERS = 5
DEFAULT_TIMEOUT_S = 60.0


def load_url(url, timeout):
    """Retrieve a single page and return its contents (as in the seed)."""
    with urllib.request.urlopen(url, timeout=timeout) as conn:
        return conn.read()


def positive_seconds(text):
    """Parse a timeout in seconds that must be finite and above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            'want a number of seconds, got %r' % text) from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(
            'want a number of seconds above 0, got %r' % text)
    return value


def parse_args(argv):
    """Read the command line; bad values end the program with status 2."""
    parser = OneLineParser(
        description="Run the seed's ThreadPoolExecutor URL example, timed.")
    parser.add_argument(
        'urls', metavar='URL', nargs='+',
        help='pages to fetch, e.g. loopback URLs and '
             'http://some-made-up-domain.invalid/')
    parser.add_argument(
        '--workers', type=positive_int, default=DEFAULT_WORKERS,
        help='max_workers of the pool (default: %d, as in the seed)'
             % DEFAULT_WORKERS)
    parser.add_argument(
        '--timeout', type=positive_seconds, default=DEFAULT_TIMEOUT_S,
        help="load_url's timeout in seconds (default: %g, as in the seed)"
             % DEFAULT_TIMEOUT_S)
    parser.add_argument(
        '--json', action='store_true',
        help='print one JSON object instead of the seed lines')
    return parser.parse_args(argv)


def outcome(future):
    """Return (bytes, error) for a finished future; one of them is None."""
    try:
        data = future.result()
    except Exception as exc:  # the seed reports any exception as a result
        return None, exc
    return len(data), None


def run_seed(urls, workers, timeout):
    """Fetch every URL as the seed does and time it.

    Timed: from constructing the executor to the last future out of
    as_completed (wall_ns), and to the end of the with-block, i.e. including
    the pool's shutdown (wall_with_shutdown_ns).

    Returns (results, wall_ns, wall_with_shutdown_ns); results is a list of
    (url, size, exc, done_ns) in completion order.
    """
    results = []
    start = time.perf_counter_ns()
    with concurrent.futures.ThreadPoolExecutor(
            max_workers=workers) as executor:
        future_to_url = {executor.submit(load_url, url, timeout): url
                         for url in urls}
        for future in concurrent.futures.as_completed(future_to_url):
            size, exc = outcome(future)
            done_ns = time.perf_counter_ns() - start
            results.append((future_to_url[future], size, exc, done_ns))
        wall_ns = time.perf_counter_ns() - start
    wall_with_shutdown_ns = time.perf_counter_ns() - start
    return results, wall_ns, wall_with_shutdown_ns


def report_json(args, results, wall_ns, wall_with_shutdown_ns):
    """Print the single JSON object the Go side parses."""
    print(json.dumps({
        'bench': 'seed_fetch',
        'python_version': sys.version.split()[0],
        'workers': args.workers,
        'timeout_s': args.timeout,
        'tasks': len(results),
        'wall_ns': wall_ns,
        'wall_with_shutdown_ns': wall_with_shutdown_ns,
        'results': [{
            'url': url,
            'bytes': size,
            'error': None if exc is None else str(exc),
            'error_type': None if exc is None else type(exc).__name__,
            'done_ns': done_ns,
        } for url, size, exc, done_ns in results],
    }))


def report_text(args, results, wall_ns):
    """Print the seed's lines, then one line with the timing."""
    for url, size, exc, _ in results:
        if exc is not None:
            print('%r generated an exception: %s' % (url, exc))
        else:
            print('%r page is %d bytes' % (url, size))
    print('wall %.3f s from executor creation to last result '
          '(%d workers, %d URLs)'
          % (wall_ns / 1e9, args.workers, len(results)))


def main(argv=None):
    """Parse options, run the seed, print the report; return the exit code."""
    args = parse_args(argv)
    results, wall_ns, wall_with_shutdown_ns = run_seed(
        args.urls, args.workers, args.timeout)
    if args.json:
        report_json(args, results, wall_ns, wall_with_shutdown_ns)
    else:
        report_text(args, results, wall_ns)
    return 0


if __name__ == '__main__':
    sys.exit(main())
