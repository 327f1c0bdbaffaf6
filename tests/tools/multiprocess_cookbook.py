"""samples/multiprocess.cpp written in Python: the logging cookbook's "logging to a single
file from multiple processes", run by CPython 3.13 as the reference for dictlog's bytes.

Usage: python3 multiprocess_cookbook.py CONFIG RECORDS   (writes what CONFIG says)

The workers are made by os.fork(), as the C++ sample's are by fork(); each then runs what a
multiprocessing.Process child runs first (the after-fork hooks that give it its own feeder
thread for the multiprocessing.Queue), so processName stays "MainProcess", as it does in a
C++ child.
"""
import json
import logging
import logging.config
import multiprocessing.util
import os
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)  # "multi-threaded, use of fork()"


def main():
    config, records = sys.argv[1], int(sys.argv[2])
    with open(config, encoding="utf-8") as f:
        logging.config.dictConfig(json.load(f))
    queue_handler = logging.getHandlerByName("queue")
    queue_handler.listener.start()
    logging.getLogger("main").info("forking 4 workers")
    workers = []
    for w in range(1, 5):
        pid = os.fork()
        if pid == 0:
            multiprocessing.util._run_after_forkers()
            log = logging.getLogger(f"worker.{w}")
            for i in range(1, records + 1):
                log.info("job %d of %d done", i, records)
            if w == 3:
                log.warning("worker %d saw a slow job", w)
            queue_handler.queue.close()
            queue_handler.queue.join_thread()  # what a Process's exit waits for
            os._exit(0)
        workers.append(pid)
    for pid in workers:
        os.waitpid(pid, 0)
    logging.getLogger("main").info("all workers done")
    queue_handler.listener.stop()
    logging.shutdown()


if __name__ == "__main__":
    main()
