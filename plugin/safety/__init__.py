"""What keeps a run safe from the learner's processes: the start method, leftover processes and
shared memory, hung tests, pool workers that die, and the rendezvous that proves concurrency."""
