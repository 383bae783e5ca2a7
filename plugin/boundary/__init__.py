"""The process boundary: the learner's modules are imported and run only in a per-test learner process.

The pytest process that runs the assertions, times, and reports (the *deciding* process) never imports
the learner's code. Test modules still write ``from exercises.step2.pool import parallel_map``: there
they get a module built from the kit's pristine stub (its given helpers and constants are the kit's
own), whose exercise functions are proxies that send each call to the test's learner process
(``learner.py``, ``server.py``). What comes back is unpickled by a restricted unpickler that admits
plain data only (``plain.py``), so an object that lies about itself cannot cross.
"""
