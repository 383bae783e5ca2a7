"""The plugin's own clock, captured when the plugin is imported, before any learner code.

A learner module that replaces ``time.perf_counter`` cannot change these references.
"""

import time

perf_counter = time.perf_counter
monotonic = time.monotonic
thread_time = time.thread_time  # CPU time of the calling thread alone
