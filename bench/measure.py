"""Run one command as a child process; print its wall time and peak memory as JSON.

Run through this wrapper, each measured process is the wrapper's only child, so
RUSAGE_CHILDREN's maxrss is that process's own peak.
"""

import json
import resource
import subprocess
import sys
import time

start = time.perf_counter()
completed = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(
    json.dumps(
        {
            "seconds": seconds,
            "peak_mb": peak_mb,
            "returncode": completed.returncode,
            "stdout": completed.stdout[-2000:],
            "stderr": completed.stderr[-2000:],
        }
    )
)
