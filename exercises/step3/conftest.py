"""Fixtures of the step-3 tests (nothing here for you to edit)."""

import inspect
from multiprocessing import reduction, shared_memory

import pytest


class CreatedSegments(list):
    """The names of the shared-memory segments created while a test runs."""

    def still_there(self):
        """The ones not unlinked yet (removed now, so that nothing outlives the test)."""
        left = []
        for name in self:
            try:
                segment = shared_memory.SharedMemory(name=name)
            except FileNotFoundError:
                continue
            segment.close()
            segment.unlink()
            left.append(name)
        return left


@pytest.fixture
def segments_created():
    """The shared-memory segments this process creates while the test runs."""
    names = CreatedSegments()
    original = shared_memory.SharedMemory.__init__
    signature = inspect.signature(original)

    def recording_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if signature.bind(self, *args, **kwargs).arguments.get("create"):
            names.append(self.name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shared_memory.SharedMemory, "__init__", recording_init)
        yield names


@pytest.fixture
def bytes_sent():
    """The sizes of the messages this process pickles for other processes (pool tasks among them)."""
    sizes = []
    dumps = reduction.ForkingPickler.dumps

    def recording_dumps(obj, protocol=None):
        message = dumps(obj, protocol)
        sizes.append(len(message))
        return message

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reduction.ForkingPickler, "dumps", recording_dumps)
        yield sizes
