"""Hangs, leaks and classic mistakes: each fails its own test with a short explanation, the run goes on,
and no process outlives it."""

from __future__ import annotations

import json
import os
import uuid

import psutil
import pytest

from plugin.tests.minikit import add_mistakes_step, processes_marked, run

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]

EXPECTED = {  # test -> (outcome, a phrase of its message)
    "test_hang": ("failed", "timed out after 4 s, and 1 child process(es) were terminated"),
    "test_unjoined_pool": ("failed", "1 multiprocessing.Pool(s) were never closed"),
    "test_leak_segment": ("failed", "1 shared-memory segment(s) were never unlinked"),
    "test_send_lambda": ("failed", "could not be pickled"),
    "test_raise_in_worker": ("failed", "— raised inside a worker process. The worker's traceback:"),
    "test_kill_worker": ("failed", "a pool worker exited with code 3 while it held a task"),
    "test_fine": ("passed", ""),
}


@pytest.mark.parametrize("xdist", [[], ["-n", "2", "-p", "xdist"]], ids=["serial", "xdist"])
def test_each_mistake_fails_its_own_test_briefly_and_nothing_survives(kit, monkeypatch, xdist):
    add_mistakes_step(kit)
    mark = uuid.uuid4().hex
    monkeypatch.setenv("PARALLEL_LAB_SELF_TEST", mark)  # inherited by every process of the run
    result = run(kit, "exercises/step3", "--lab-json=report.json", *xdist)
    document = json.loads((kit.path / "report.json").read_text())
    tests = {t["nodeid"].split("::")[-1]: t for s in document["steps"] for e in s["exercises"] for t in e["tests"]}
    for name, (outcome, phrase) in EXPECTED.items():
        assert tests[name]["outcome"] == outcome, f"{name}: {tests[name]}"
        assert phrase in tests[name]["message"], f"{name}: {tests[name]['message']!r}"
    text = result.stdout.str()
    assert "hint (step3.send_lambda): The hint of send_lambda." in text
    assert 'raise ValueError(f"bad input {x}")' in text, "the worker's own traceback is shown"
    assert 'File "exercises/step3/mistakes.py", line' in text, "worker frames are shown relative to the kit"
    assert "multiprocessing/pool.py" not in text, "multiprocessing's own frames are trimmed"
    # multiprocessing's resource tracker exits by itself once the run has closed its pipe: give it a moment.
    _, survivors = psutil.wait_procs(processes_marked(mark), timeout=3)
    assert not survivors, f"processes outlived the run: {[p.cmdline() for p in survivors]}"
    segments = os.listdir("/dev/shm") if os.path.isdir("/dev/shm") else []
    leaked = [name for name in segments if name in tests["test_leak_segment"]["message"]]
    assert not leaked


def test_child_output_appears_with_the_test_that_printed_it(kit):
    add_mistakes_step(kit)
    (kit.path / "exercises" / "step3" / "test_prints.py").write_text(
        "import multiprocessing\nimport sys\nimport pytest\n\n"
        "def shout(x):\n"
        "    sys.stdout.write(f'worker says {x}\\n')  # one write: lines of two workers cannot interleave\n"
        "    sys.stdout.flush()\n    return x\n\n"
        "@pytest.mark.exercise('step3.fine')\n"
        "def test_prints():\n"
        "    with multiprocessing.Pool(2) as pool:\n        pool.map(shout, [41, 42])\n"
        "    assert False, 'fail so the captured output is shown'\n"
    )
    for method in ("fork", "spawn", "forkserver"):
        result = run(kit, "exercises/step3/test_prints.py", "--start-method", method)
        result.stdout.fnmatch_lines(["*Captured stdout call*", "worker says 4[12]", "worker says 4[12]"])


def test_a_segment_another_xdist_worker_holds_is_not_blamed_on_this_test(kit):
    """Under -n 2 one worker's test holds a segment while the other worker's tests end."""
    add_mistakes_step(kit)
    (kit.path / "exercises" / "step3" / "test_concurrent_segments.py").write_text(
        "import time\nfrom multiprocessing import shared_memory\nimport pytest\n\n"
        "@pytest.mark.exercise('step3.fine')\n"
        "def test_holds_a_segment():\n"
        "    segment = shared_memory.SharedMemory(create=True, size=1024)\n"
        "    time.sleep(3)\n    segment.close()\n    segment.unlink()\n\n"
        "@pytest.mark.exercise('step3.fine')\n"
        "@pytest.mark.parametrize('n', range(8))\n"
        "def test_ends_meanwhile(n):\n    time.sleep(0.3)\n"
    )
    result = run(kit, "exercises/step3/test_concurrent_segments.py", "-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=9)
