"""Command-line helpers shared by the benchmark scripts.

Bad input gets one line on stderr and exit status 2, as everywhere in
supervisor.
"""

import argparse


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line and exit status 2."""

    def error(self, message):
        self.exit(2, '%s: error: %s\n' % (self.prog, message))


def positive_int(text):
    """Parse a count that must be 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            'want a positive integer, got %r' % text) from None
    if value < 1:
        raise argparse.ArgumentTypeError(
            'want a positive integer, got %r' % text)
    return value
