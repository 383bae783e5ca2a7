"""Fixtures of the step-3 tests (nothing here for you to edit).

The recorders run inside your code's process (installed there before your code runs); what they report
is plain data. Whether a segment still exists is seen from outside, in this test's process.
"""

import inspect
from multiprocessing import reduction, shared_memory

import pytest

from plugin.boundary.learner import learner_context
from plugin.messages import say

# -- inside the learner process: the recorders and what they recorded --------------------------------

_segment_names = []
_message_sizes = []


def record_created_segments():
    """Note the name of every SharedMemory(create=True) made in this process from now on."""
    original = shared_memory.SharedMemory.__init__
    signature = inspect.signature(original)

    def recording_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if signature.bind(self, *args, **kwargs).arguments.get("create"):
            _segment_names.append(self.name)

    shared_memory.SharedMemory.__init__ = recording_init  # undone with the learner process itself


def created_segments():
    return list(_segment_names)


def record_message_sizes():
    """Note the size of every message this process pickles for another process (pool tasks among them)."""
    dumps = reduction.ForkingPickler.dumps

    def recording_dumps(obj, protocol=None):
        message = dumps(obj, protocol)
        _message_sizes.append(len(message))
        return message

    reduction.ForkingPickler.dumps = recording_dumps


def message_sizes():
    return list(_message_sizes)


# -- in the test's process ----------------------------------------------------------------------------


class CreatedSegments:
    """The names of the shared-memory segments the learner's code created while the test ran."""

    def __init__(self, learner):
        self.learner = learner

    def names(self):
        names = self.learner.run(created_segments)
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise AssertionError(say("step3.record_tampered"))
        return names

    def still_there(self):
        """The ones not unlinked yet, seen from this process (removed now, so that nothing outlives the test)."""
        left = []
        for name in self.names():
            try:
                segment = shared_memory.SharedMemory(name=name)
            except FileNotFoundError:
                continue
            segment.close()
            segment.unlink()
            left.append(name)
        return left


@pytest.fixture
def inheritable():
    """The context to create a test's Array, Value or Lock with: they travel to the process that runs the
    learner's code, started by forkserver (spawn where there is none), which refuses locks made for fork."""
    return learner_context()


@pytest.fixture
def segments_created(learner):
    """The shared-memory segments the learner's code creates while the test runs: ``.names()``,
    ``.still_there()``."""
    learner.install(record_created_segments)
    return CreatedSegments(learner)


@pytest.fixture
def bytes_sent(learner):
    """``bytes_sent()``: the sizes of the messages the learner's process pickled for other processes
    (pool tasks among them)."""
    learner.install(record_message_sizes)

    def sizes():
        recorded = learner.run(message_sizes)
        if not isinstance(recorded, list) or not all(isinstance(size, int) for size in recorded):
            raise AssertionError(say("step3.record_tampered"))
        return recorded

    return sizes
