"""What the run is doing, on stderr (stdout carries the table or the JSON).

On a terminal the current step is one line redrawn in place, with a
countdown during each timed round; elsewhere (a CI log) each step is one line.
"""

import sys
import time


class Progress:
    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.live = stream.isatty()
        self.started = time.monotonic()
        self.current = ""
        self.until = None

    def clock(self):
        return f"[{time.monotonic() - self.started:6.1f} s]"

    def step(self, message, *, seconds=None):
        """A new step; ``seconds`` starts a countdown for a step of known length."""
        self.current = message
        self.until = time.monotonic() + seconds if seconds else None
        if self.live:
            self.redraw()
        else:
            print(self.clock(), message, file=self.stream, flush=True)

    def tick(self):
        if self.live:
            self.redraw()

    def redraw(self):
        left = f"  {max(0.0, self.until - time.monotonic()):4.1f} s left" if self.until else ""
        self.stream.write(f"\r\033[K{self.clock()} {self.current}{left}")
        self.stream.flush()

    def done(self, message):
        """A result worth keeping on screen."""
        if self.live:
            self.stream.write("\r\033[K")
        print(self.clock(), message, file=self.stream, flush=True)
