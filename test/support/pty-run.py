"""Runs a command on a pseudo-terminal, as a person at a terminal would.

Usage: pty-run.py WAIT_FOR ACTION COMMAND...
Reads the command's terminal output until it contains WAIT_FOR (a regular
expression), then performs ACTION: `ctrl-c` types Ctrl-C on the terminal (the
line discipline sends SIGINT to the foreground process group), `sigterm` sends
SIGTERM to the process. Prints one JSON line: the exit status (128 + signal
number if killed by a signal), whether WAIT_FOR was seen, and the output.
"""
import json, os, pty, re, select, signal, sys, time

wait_for, action, argv = re.compile(sys.argv[1].encode()), sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

out, seen, deadline = b'', False, time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if not seen and wait_for.search(out):
        seen = True
        if action == 'ctrl-c':
            os.write(fd, b'\x03')
        elif action == 'sigterm':
            os.kill(pid, signal.SIGTERM)
_, status = os.waitpid(pid, 0)
code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
print(json.dumps({'status': code, 'seen': seen, 'output': out.decode('utf-8', 'replace')}))
