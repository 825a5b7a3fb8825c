#!/usr/bin/env python3
"""The seed's ProcessPoolExecutor example, timed.

This is the ProcessPoolExecutor program from the project's seed text
(shared/reference/seed.txt), kept as it is: the same PRIMES list, the same
trial-division ``is_prime`` (including its quirks: it calls 1 prime and 2 not
prime), and ``executor.map(is_prime, PRIMES)``.  Around it are a few options so
that ``supervisor bench --python`` can run it next to the Go pool and compare.

What is timed (``wall_ns``): from just before ``ProcessPoolExecutor(...)`` is
constructed to the moment the last result has come out of ``executor.map``.
That covers starting the worker processes, sending the numbers, the trial
divisions and receiving the answers; it leaves out interpreter start-up, the
imports, printing, and the pool's shutdown at the end of the ``with`` block
(which is reported on its own as ``shutdown_ns``).

``pool_start_ns`` is measured separately, after the timed run, on a second pool
of the same size: from its construction to the first result of a no-op task.
The seed's own run cannot show it without changing the seed's task, and the
probe runs after it so that the seed's run stays a cold first run.

Usage:
    python3 seed_primes.py [--workers N] [--numbers a,b,c] [--repeat K]
                           [--json]

Exit status: 0 on success, 2 on a usage error (one line on stderr), 1 if the
pool fails.
"""

import argparse
import concurrent.futures
import json
import math
import multiprocessing
import os
import sys
import time
from concurrent.futures.process import BrokenProcessPool

from cli import OneLineParser, positive_int

PRIMES = [
    112272535095293,
    112582705942171,
    112272535095293,
    115280095190773,
    115797848077099,
    1099726899285419]

# The Go side parses numbers as unsigned 64-bit integers; keep to the same
# range so both sides can be given the same list.
MAX_NUMBER = 2 ** 64 - 1


def is_prime(n):
    """Trial division exactly as in the seed (n % 2 == 0 is not prime)."""
    if n % 2 == 0:
        return False

    sqrt_n = int(math.floor(math.sqrt(n)))
    for i in range(3, sqrt_n + 1, 2):
        if n % i == 0:
            return False
    return True


def noop():
    """Do nothing; used to see when a fresh pool first answers."""
    return None


def number_list(text):
    """Parse 'a,b,c' into integers from 0 to 2**64-1."""
    numbers = []
    for item in text.split(','):
        item = item.strip()
        try:
            value = int(item, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(
                'want comma-separated integers, got %r' % item) from None
        if not 0 <= value <= MAX_NUMBER:
            raise argparse.ArgumentTypeError(
                'want integers from 0 to %d, got %r' % (MAX_NUMBER, item))
        numbers.append(value)
    return numbers


def parse_args(argv):
    """Read the command line; bad values end the program with status 2."""
    parser = OneLineParser(
        description="Run the seed's ProcessPoolExecutor primes example, "
                    "timed.")
    parser.add_argument(
        '--workers', type=positive_int, default=os.cpu_count() or 1,
        help='max_workers of the pool (default: os.cpu_count(), as the '
             'seed gets by passing nothing)')
    parser.add_argument(
        '--numbers', type=number_list, default=PRIMES,
        help="comma-separated integers to test instead of the seed's PRIMES")
    parser.add_argument(
        '--repeat', type=positive_int, default=1,
        help='test the list this many times over (default: 1)')
    parser.add_argument(
        '--json', action='store_true',
        help='print one JSON object instead of the seed lines')
    return parser.parse_args(argv)


def run_seed(numbers, workers):
    """Run the seed's map over numbers and time it.

    Timed: from constructing the executor to the last result out of
    executor.map.  The with-block's shutdown (joining the workers) is timed
    apart.  Results are printed afterwards, outside the timed region, so the
    plain and JSON modes time the same thing.

    Returns (results, wall_ns, shutdown_ns), results a list of (n, prime).
    """
    start = time.perf_counter_ns()
    with concurrent.futures.ProcessPoolExecutor(
            max_workers=workers) as executor:
        results = list(zip(numbers, executor.map(is_prime, numbers)))
        last_result = time.perf_counter_ns()
    shut_down = time.perf_counter_ns()
    return results, last_result - start, shut_down - last_result


def probe_pool_start(workers):
    """Time a fresh pool of the same size from construction to first answer.

    Timed: ProcessPoolExecutor(...) construction up to the result of one
    no-op task.  With the fork start method the first submit starts all
    `workers` processes; with spawn or forkserver it starts one.
    """
    start = time.perf_counter_ns()
    with concurrent.futures.ProcessPoolExecutor(
            max_workers=workers) as executor:
        executor.submit(noop).result()
        ready = time.perf_counter_ns()
    return ready - start


def report_json(args, numbers, results, timings):
    """Print the single JSON object the Go side parses."""
    wall_ns, shutdown_ns, pool_start_ns = timings
    print(json.dumps({
        'bench': 'seed_primes',
        'python_version': sys.version.split()[0],
        'start_method': multiprocessing.get_start_method(),
        'workers': args.workers,
        'tasks': len(numbers),
        'repeat': args.repeat,
        'wall_ns': wall_ns,
        'shutdown_ns': shutdown_ns,
        'pool_start_ns': pool_start_ns,
        'results': [{'n': n, 'prime': prime} for n, prime in results],
    }))


def report_text(args, numbers, results, timings):
    """Print the seed's lines, then one line with the timing."""
    wall_ns, _, pool_start_ns = timings
    for number, prime in results:
        print('%d is prime: %s' % (number, prime))
    print('wall %.3f s from executor creation to last result '
          '(%d workers, %d tasks; a fresh pool answers its first no-op '
          'after %.1f ms)' % (wall_ns / 1e9, args.workers, len(numbers),
                             pool_start_ns / 1e6))


def main(argv=None):
    """Parse options, run the seed, print the report; return the exit code."""
    args = parse_args(argv)
    numbers = list(args.numbers) * args.repeat
    try:
        results, wall_ns, shutdown_ns = run_seed(numbers, args.workers)
        pool_start_ns = probe_pool_start(args.workers)
    except (BrokenProcessPool, OSError) as exc:
        print('seed_primes.py: error: pool failed: %s: %s'
              % (type(exc).__name__, exc), file=sys.stderr)
        return 1
    timings = (wall_ns, shutdown_ns, pool_start_ns)
    if args.json:
        report_json(args, numbers, results, timings)
    else:
        report_text(args, numbers, results, timings)
    return 0


if __name__ == '__main__':
    sys.exit(main())
