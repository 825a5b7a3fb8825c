#!/usr/bin/env python3
"""Micro-benchmarks of Python's concurrent.futures, shaped like supervisor's.

Each benchmark measures one cost of a process pool that the Go side measures
for its own pool, so ``supervisor bench --python`` can print ratios from one
run on one machine:

  memory      Rss, Pss and private memory of each idle worker of a warmed pool
              and of the parent, from /proc/<pid>/smaps_rollup (Linux only).
  start       pool start-up: from ProcessPoolExecutor(...) construction to the
              first result of a no-op task, over several fresh pools (1 worker
              and --workers); ThreadPoolExecutor the same way, for contrast.
  roundtrip   one no-op at a time: ``executor.submit(noop).result()`` in a
              loop, each call timed; process pool and, for contrast, thread
              pool.
  throughput  ``list(executor.map(noop, range(n), chunksize=c))`` with
              chunksize 1 and 100, at 1, 2 and --workers processes.
  payload     echo of a bytes object, one at a time, 1 KiB to 64 MiB.

They run in that order whatever the order given to --only.

All times are time.perf_counter_ns() differences, in integer nanoseconds.
Every pool is warmed before it is measured (its processes started and a few
hundred tasks run), except in ``start``, whose whole point is the cold pool
(one untimed pool is made first so that module imports and, for forkserver,
the fork server itself are not counted).  Percentiles are nearest-rank: p50 is
the sorted sample at rank ceil(0.50 * n), p99 at rank ceil(0.99 * n), so with
fewer than 100 samples p99 is the maximum.

Usage:
    python3 micro.py [--only NAME[,NAME...]] [--workers N]
                     [--start-method fork|spawn|forkserver] [--quick] [--json]

Exit status: 0 on success, 2 on a usage error (one line on stderr), 1 if a
pool fails.
"""

import argparse
import collections
import concurrent.futures
import json
import math
import multiprocessing
import os
import platform
import statistics
import sys
import time
from concurrent.futures.process import BrokenProcessPool

from cli import OneLineParser, positive_int

# Benchmark names, in the order they run.  memory runs first: the workers are
# forked from the parent, so their memory depends on what the parent holds,
# and after the payload benchmark glibc keeps tens of MiB of freed heap.
BENCHES = ('memory', 'start', 'roundtrip', 'throughput', 'payload')

KIB = 1024
MIB = 1024 * KIB

# How much each benchmark does.  QUICK keeps a whole run of micro.py within a
# few seconds on a 2-core machine; FULL takes about half a minute.
Plan = collections.namedtuple('Plan', [
    'start_pools',          # fresh process pools timed per configuration
    'thread_start_pools',   # fresh thread pools timed
    'roundtrip_warmup',     # untimed calls before timing round trips
    'roundtrip_calls',      # timed round trips per executor
    'map_tasks_chunk1',     # tasks per map() run with chunksize=1
    'map_tasks_chunk100',   # tasks per map() run with chunksize=100
    'map_runs',             # map() runs per configuration; the median counts
    'payload_samples',      # {payload size in bytes: timed echoes}
])

FULL = Plan(
    start_pools=20,
    thread_start_pools=200,
    roundtrip_warmup=500,
    roundtrip_calls=5000,
    map_tasks_chunk1=20000,
    map_tasks_chunk100=1000000,
    map_runs=3,
    payload_samples={KIB: 2000, 64 * KIB: 1000, MIB: 100,
                     16 * MIB: 10, 64 * MIB: 5},
)

QUICK = Plan(
    start_pools=7,
    thread_start_pools=50,
    roundtrip_warmup=200,
    roundtrip_calls=1000,
    map_tasks_chunk1=3000,
    map_tasks_chunk100=100000,
    map_runs=3,
    # 64 MiB is left out: at ~250 MB/s one echo takes a quarter of a second.
    payload_samples={KIB: 500, 64 * KIB: 200, MIB: 30, 16 * MIB: 4},
)

# Memory figures come from here (Linux 4.14 and later).
SMAPS_SELF = '/proc/self/smaps_rollup'

# Untimed no-op tasks run on a pool before it is measured.
WARMUP_TASKS = 300

# Seconds a pid-reporting task sleeps, long enough that each of a batch of
# such tasks lands on a different worker.
PID_PAUSE_S = 0.02
PID_ROUNDS = 10


# --- Tasks run in the workers (module level, so they can be pickled). ---

def noop(_=None):
    """Do nothing: the task whose cost is all overhead."""
    return None


def echo(data):
    """Return the payload unchanged, so it crosses the pipe both ways."""
    return data


def pid_after_pause(seconds):
    """Sleep, then say which process ran this (keeps the worker busy)."""
    time.sleep(seconds)
    return os.getpid()


# --- Command line. ---

def bench_list(text):
    """Parse 'name,name' into benchmark names, in the order they run."""
    names = [name.strip() for name in text.split(',') if name.strip()]
    unknown = [name for name in names if name not in BENCHES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            'unknown benchmark %r; choose from %s'
            % (','.join(unknown) or text, ','.join(BENCHES)))
    return [name for name in BENCHES if name in names]


def parse_args(argv):
    """Read the command line; bad values end the program with status 2."""
    parser = OneLineParser(
        description='Micro-benchmarks of concurrent.futures pools.')
    parser.add_argument(
        '--only', type=bench_list, default=list(BENCHES),
        help='comma-separated benchmarks to run (default: all): %s'
             % ','.join(BENCHES))
    parser.add_argument(
        '--workers', type=positive_int, default=2,
        help='worker processes of the measured pools (default: 2)')
    parser.add_argument(
        '--start-method', choices=multiprocessing.get_all_start_methods(),
        default=None,
        help='multiprocessing start method (default: the platform default, '
             '%s here)' % multiprocessing.get_start_method())
    parser.add_argument(
        '--quick', action='store_true',
        help='fewer samples: a few seconds in all on a 2-core machine')
    parser.add_argument(
        '--json', action='store_true',
        help='print one JSON object with all figures')
    return parser.parse_args(argv)


# --- Statistics. ---

def percentile(samples, pct):
    """Nearest-rank percentile of a list of numbers."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_figures(prefix, samples):
    """p50, p99, mean, min and max of samples (ns), keys named prefix_*."""
    return {
        'samples': len(samples),
        prefix + '_p50_ns': percentile(samples, 50),
        prefix + '_p99_ns': percentile(samples, 99),
        prefix + '_mean_ns': round(statistics.fmean(samples)),
        prefix + '_min_ns': min(samples),
        prefix + '_max_ns': max(samples),
    }


# --- Pools. ---

def process_pool(workers, context):
    """A ProcessPoolExecutor with the chosen start method."""
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context)


def worker_pids(executor, workers):
    """Find the PIDs of all the pool's workers.

    Batches of `workers` tasks that each sleep briefly are submitted, so every
    idle worker takes one; this repeats until every worker has answered.  If
    some never do, the executor's private _processes table is used instead.
    Returns (sorted pids, how they were found).
    """
    seen = set()
    for _ in range(PID_ROUNDS):
        futures = [executor.submit(pid_after_pause, PID_PAUSE_S)
                   for _ in range(workers)]
        seen.update(future.result() for future in futures)
        if len(seen) >= workers:
            return sorted(seen), 'tasks'
    return sorted(executor._processes), 'executor._processes'


def warm_up(executor, workers):
    """Start every worker and run some no-ops through the pool, untimed.

    With spawn and forkserver, workers start one per submit until there are
    `workers`; the pid-reporting tasks make sure they all have.
    """
    list(executor.map(noop, range(WARMUP_TASKS)))
    return worker_pids(executor, workers)


# --- start: pool start-up. ---

def time_pool_start(make_executor, samples):
    """Time fresh pools from construction to their first no-op result.

    Timed: the executor's construction, the submit of one no-op and waiting
    for its result.  The pool's shutdown afterwards is not timed.  With fork,
    ProcessPoolExecutor starts all its workers on the first submit; with
    spawn or forkserver, only the one it needs.
    """
    times = []
    for _ in range(samples):
        start = time.perf_counter_ns()
        executor = make_executor()
        try:
            executor.submit(noop).result()
            times.append(time.perf_counter_ns() - start)
        finally:
            executor.shutdown(wait=True)
    return times


def bench_start(args, plan, context, method):
    """Start-up of process pools (1 and --workers) and of a thread pool."""
    rows = []
    for workers in sorted({1, args.workers}):
        def make(workers=workers):
            return process_pool(workers, context)
        time_pool_start(make, 1)  # untimed: imports, the fork server
        times = time_pool_start(make, plan.start_pools)
        rows.append(dict(executor='process', workers=workers,
                         start_method=method,
                         **latency_figures('pool_start', times)))

    def make_threads():
        return concurrent.futures.ThreadPoolExecutor(max_workers=args.workers)
    time_pool_start(make_threads, 1)
    times = time_pool_start(make_threads, plan.thread_start_pools)
    rows.append(dict(executor='thread', workers=args.workers,
                     start_method=None,
                     **latency_figures('pool_start', times)))
    return rows


# --- roundtrip: one no-op at a time. ---

def time_roundtrips(executor, calls):
    """Time `calls` sequential executor.submit(noop).result() calls, each."""
    times = []
    for _ in range(calls):
        start = time.perf_counter_ns()
        executor.submit(noop).result()
        times.append(time.perf_counter_ns() - start)
    return times


def bench_roundtrip(args, plan, context, method):
    """No-op round trips on a warmed process pool and a thread pool."""
    rows = []
    with process_pool(args.workers, context) as executor:
        warm_up(executor, args.workers)
        time_roundtrips(executor, plan.roundtrip_warmup)
        times = time_roundtrips(executor, plan.roundtrip_calls)
    rows.append(dict(executor='process', workers=args.workers,
                     start_method=method,
                     **latency_figures('roundtrip', times)))
    with concurrent.futures.ThreadPoolExecutor(args.workers) as executor:
        time_roundtrips(executor, plan.roundtrip_warmup)
        times = time_roundtrips(executor, plan.roundtrip_calls)
    rows.append(dict(executor='thread', workers=args.workers,
                     start_method=None,
                     **latency_figures('roundtrip', times)))
    return rows


# --- throughput: many no-ops through map(). ---

def time_map(executor, tasks, chunksize):
    """Time list(executor.map(noop, range(tasks), chunksize=chunksize)).

    Timed: from the map() call until every result is in the list.
    """
    start = time.perf_counter_ns()
    list(executor.map(noop, range(tasks), chunksize=chunksize))
    return time.perf_counter_ns() - start


def throughput_row(executor, workers, tasks, chunksize, runs):
    """Median of `runs` timed map() runs, as tasks per second."""
    elapsed = statistics.median_low(
        [time_map(executor, tasks, chunksize) for _ in range(runs)])
    return {
        'executor': 'process', 'workers': workers, 'chunksize': chunksize,
        'tasks': tasks, 'runs': runs, 'elapsed_ns': elapsed,
        'tasks_per_s': round(tasks / elapsed * 1e9, 1),
    }


def bench_throughput(args, plan, context, method):
    """No-op tasks/s with chunksize 1 and 100 at 1, 2 and --workers."""
    rows = []
    for workers in sorted({1, 2, args.workers}):
        with process_pool(workers, context) as executor:
            warm_up(executor, workers)
            for chunksize, tasks in ((1, plan.map_tasks_chunk1),
                                     (100, plan.map_tasks_chunk100)):
                row = throughput_row(executor, workers, tasks, chunksize,
                                     plan.map_runs)
                rows.append(dict(row, start_method=method))
    return rows


# --- payload: echo of bytes objects. ---

def time_echoes(executor, payload, samples):
    """Time `samples` sequential executor.submit(echo, payload).result().

    Timed: pickling the payload, sending it to a worker, the worker's copy
    back, and unpickling it in the parent: one full round trip each.
    """
    times = []
    for _ in range(samples):
        start = time.perf_counter_ns()
        executor.submit(echo, payload).result()
        times.append(time.perf_counter_ns() - start)
    return times


def payload_row(executor, size, samples):
    """Round-trip figures for one payload size.

    mb_per_s is the payload size divided by the p50 round-trip time, in MB
    (10**6 bytes) per second: the payload is counted once, although it
    crosses the pipe twice (there and back).
    """
    payload = b'\xa5' * size
    if len(executor.submit(echo, payload).result()) != size:
        raise RuntimeError('echo returned a different payload size')
    times = time_echoes(executor, payload, samples)
    row = {'payload_bytes': size}
    row.update(latency_figures('roundtrip', times))
    row['mb_per_s'] = round(size / row['roundtrip_p50_ns'] * 1e3, 1)
    return row


def bench_payload(args, plan, context, method):
    """Echo payloads of 1 KiB .. 64 MiB through a warmed process pool."""
    rows = []
    with process_pool(args.workers, context) as executor:
        warm_up(executor, args.workers)
        for size, samples in sorted(plan.payload_samples.items()):
            row = payload_row(executor, size, samples)
            rows.append(dict(row, workers=args.workers, start_method=method))
    return rows


# --- memory: idle workers. ---

def smaps_rollup(pid):
    """Rss, Pss and Private_Clean+Private_Dirty of one process, in KiB."""
    fields = {}
    with open('/proc/%d/smaps_rollup' % pid) as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) == 3 and parts[2] == 'kB':
                fields[parts[0].rstrip(':')] = int(parts[1])
    return {
        'pid': pid,
        'rss_kib': fields['Rss'],
        'pss_kib': fields['Pss'],
        'private_kib': fields['Private_Clean'] + fields['Private_Dirty'],
    }


def average_kib(rows, key):
    """Mean of rows[i][key], rounded to whole KiB."""
    return round(statistics.fmean(row[key] for row in rows))


def bench_memory(args, plan, context, method):
    """Memory of each idle worker of a warmed pool, and of the parent.

    The pool is warmed (workers started, a few hundred no-ops and the pid
    tasks run), then left idle while /proc/<pid>/smaps_rollup is read.
    """
    with process_pool(args.workers, context) as executor:
        pids, source = warm_up(executor, args.workers)
        per_worker = [smaps_rollup(pid) for pid in pids]
        parent = smaps_rollup(os.getpid())
    return {
        'workers': len(pids), 'start_method': method, 'pid_source': source,
        'per_worker': per_worker,
        'worker_avg_rss_kib': average_kib(per_worker, 'rss_kib'),
        'worker_avg_pss_kib': average_kib(per_worker, 'pss_kib'),
        'worker_avg_private_kib': average_kib(per_worker, 'private_kib'),
        'parent_rss_kib': parent['rss_kib'],
        'parent_pss_kib': parent['pss_kib'],
        'parent_private_kib': parent['private_kib'],
    }


# --- Report. ---

def pick(rows, key, **match):
    """rows' first item matching all of `match`, its `key`; None if none."""
    for row in rows:
        if all(row.get(k) == v for k, v in match.items()):
            return row[key]
    return None


def summary(result, workers):
    """The headline figures under fixed keys; None where not measured."""
    start, trip = result['pool_start'], result['roundtrip']
    flow, load = result['throughput'], result['payload']
    memory = result['memory'] or {}
    return {
        'process_pool_start_p50_ns': pick(start, 'pool_start_p50_ns',
                                          executor='process', workers=1),
        'process_pool_start_p99_ns': pick(start, 'pool_start_p99_ns',
                                          executor='process', workers=1),
        'thread_pool_start_p50_ns': pick(start, 'pool_start_p50_ns',
                                         executor='thread'),
        'thread_pool_start_p99_ns': pick(start, 'pool_start_p99_ns',
                                         executor='thread'),
        'process_roundtrip_p50_ns': pick(trip, 'roundtrip_p50_ns',
                                         executor='process'),
        'process_roundtrip_p99_ns': pick(trip, 'roundtrip_p99_ns',
                                         executor='process'),
        'thread_roundtrip_p50_ns': pick(trip, 'roundtrip_p50_ns',
                                        executor='thread'),
        'thread_roundtrip_p99_ns': pick(trip, 'roundtrip_p99_ns',
                                        executor='thread'),
        'process_tasks_per_s_chunksize1': pick(flow, 'tasks_per_s',
                                               workers=workers, chunksize=1),
        'process_tasks_per_s_chunksize100': pick(flow, 'tasks_per_s',
                                                 workers=workers,
                                                 chunksize=100),
        'payload_16mib_roundtrip_p50_ns': pick(load, 'roundtrip_p50_ns',
                                               payload_bytes=16 * MIB),
        'payload_16mib_mb_per_s': pick(load, 'mb_per_s',
                                       payload_bytes=16 * MIB),
        'worker_rss_kib': memory.get('worker_avg_rss_kib'),
        'worker_pss_kib': memory.get('worker_avg_pss_kib'),
        'worker_private_kib': memory.get('worker_avg_private_kib'),
        'parent_rss_kib': memory.get('parent_rss_kib'),
    }


def print_text(result):
    """Print the figures for people, one line each."""
    print('python %s, %s start method, %d worker(s)%s'
          % (result['python_version'], result['start_method'],
             result['workers'], ' (quick)' if result['quick'] else ''))
    for row in result['pool_start']:
        print('start      %-7s pool, %d worker(s): p50 %8.1f us  p99 %8.1f us'
              '  (%d pools)' % (row['executor'], row['workers'],
                                row['pool_start_p50_ns'] / 1e3,
                                row['pool_start_p99_ns'] / 1e3,
                                row['samples']))
    for row in result['roundtrip']:
        print('roundtrip  %-7s pool, %d worker(s): p50 %8.1f us  p99 %8.1f us'
              '  (%d calls)' % (row['executor'], row['workers'],
                                row['roundtrip_p50_ns'] / 1e3,
                                row['roundtrip_p99_ns'] / 1e3,
                                row['samples']))
    for row in result['throughput']:
        print('throughput %d worker(s), chunksize %3d: %12.0f tasks/s'
              '  (%d tasks)' % (row['workers'], row['chunksize'],
                                row['tasks_per_s'], row['tasks']))
    for row in result['payload']:
        print('payload    %8d KiB: p50 round trip %10.1f us  %8.1f MB/s'
              ' (payload size / p50 round trip)'
              % (row['payload_bytes'] // KIB, row['roundtrip_p50_ns'] / 1e3,
                 row['mb_per_s']))
    memory = result['memory']
    if memory:
        print('memory     idle worker avg: Rss %d KiB  Pss %d KiB  private '
              '%d KiB; parent: Rss %d KiB  Pss %d KiB  private %d KiB'
              % (memory['worker_avg_rss_kib'], memory['worker_avg_pss_kib'],
                 memory['worker_avg_private_kib'], memory['parent_rss_kib'],
                 memory['parent_pss_kib'], memory['parent_private_kib']))
    for note in result['notes']:
        print('note       %s' % note)
    print('elapsed    %.1f s' % (result['elapsed_ns'] / 1e9))


def run(args):
    """Run the chosen benchmarks and gather every figure in one dict."""
    plan = QUICK if args.quick else FULL
    method = args.start_method or multiprocessing.get_start_method()
    context = multiprocessing.get_context(method)
    runners = {'start': bench_start, 'roundtrip': bench_roundtrip,
               'throughput': bench_throughput, 'payload': bench_payload,
               'memory': bench_memory}
    benches, notes = list(args.only), []
    if 'memory' in benches and not os.path.exists(SMAPS_SELF):
        benches.remove('memory')
        notes.append('memory: left out, %s is missing' % SMAPS_SELF)
    started = time.perf_counter_ns()
    figures = {name: runners[name](args, plan, context, method)
               for name in benches}
    if args.quick and 'payload' in args.only:
        notes.append('payload: 64 MiB left out under --quick')
    result = {
        'bench': 'micro',
        'python_version': sys.version.split()[0],
        'implementation': platform.python_implementation(),
        'platform': sys.platform,
        'cpu_count': os.cpu_count(),
        'workers': args.workers,
        'start_method': method,
        'start_method_is_default':
            method == multiprocessing.get_start_method(),
        'quick': args.quick,
        'benches': benches,
        'pool_start': figures.get('start', []),
        'roundtrip': figures.get('roundtrip', []),
        'throughput': figures.get('throughput', []),
        'payload': figures.get('payload', []),
        'memory': figures.get('memory'),
        'notes': notes,
    }
    result['summary'] = summary(result, args.workers)
    result['elapsed_ns'] = time.perf_counter_ns() - started
    return result


def main(argv=None):
    """Parse options, run, print; return the exit code."""
    args = parse_args(argv)
    try:
        result = run(args)
    except (BrokenProcessPool, OSError, RuntimeError) as exc:
        print('micro.py: error: %s: %s' % (type(exc).__name__, exc),
              file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result))
    else:
        print_text(result)
    return 0


if __name__ == '__main__':
    sys.exit(main())
