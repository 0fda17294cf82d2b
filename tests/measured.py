"""Run a command under RLIMIT_AS / RLIMIT_CPU and report what the kernel measured for it.

    python tests/measured.py REPORT.json MEMORY_BYTES CPU_SECONDS -- COMMAND...

Why a launcher: Linux keeps a process's peak RSS across exec, and a child forked from the
test suite starts with the suite's pages, so a child of pytest "uses" hundreds of MB it
never touched. Forked from this small process instead, the command's peak is its own.
"""

import json
import os
import resource
import sys

report, memory, cpu, separator, *command = sys.argv[1:]
assert separator == "--" and command
pid = os.fork()
if pid == 0:
    resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    resource.setrlimit(resource.RLIMIT_CPU, (int(cpu), int(cpu)))
    os.execv(command[0], command)
_, status, usage = os.wait4(pid, 0)
with open(report, "w", encoding="utf-8") as handle:
    json.dump({"returncode": os.waitstatus_to_exitcode(status),
               "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}, handle)
