#!/usr/bin/env python3
"""Drive a virtual ML30x module's test bench from Python, standard library only.

    FTPMODEM_BIN=target/debug/ftpmodem python3 docs/examples/ftpmodem_control.py

starts `ftpmodem serve` on a TCP line with a control socket, pulls the SIM out, checks what
the firmware sees on its line (`+CME ERROR: 10`), puts the SIM back and checks again.
docs/CONTROL.md describes the protocol; this file is included there and run by the tests.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time


class Control:
    """One connection to the control socket: a request, its reply; events when subscribed."""

    def __init__(self, address, token=None):
        if address.startswith("tcp:"):
            host, port = address[4:].rsplit(":", 1)
            self.sock = socket.create_connection((host, int(port)), timeout=10)
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(10)
            self.sock.connect(address)
        self.file = self.sock.makefile("rwb")
        if token is not None:
            self.request({"cmd": "auth", "token": token})

    def request(self, req):
        self.file.write(json.dumps(req).encode() + b"\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "event" not in reply:  # events may come before the reply once subscribed
                break
        if not reply.get("ok"):
            raise RuntimeError("%s: %s" % (reply.get("error"), reply.get("message")))
        return reply

    def arm(self, kind, **params):
        return self.request({"cmd": "arm", "fault": dict(kind=kind, **params)})["id"]

    def clear(self, fault_id=None):
        req = {"cmd": "clear", "id": fault_id} if fault_id else {"cmd": "clear", "all": True}
        return self.request(req)["cleared"]

    def status(self):
        return self.request({"cmd": "status"})["status"]

    def events(self, classes=()):
        """Subscribes, then yields events (dicts) as they come."""
        self.request({"cmd": "subscribe", "events": list(classes)})
        while True:
            line = self.file.readline()
            if not line:
                return
            yield json.loads(line)

    def close(self):
        self.file.close()
        self.sock.close()


class Line:
    """The module's serial line over TCP, as the firmware under test would use it."""

    def __init__(self, address):
        host, port = address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.buf = b""
        self.command("ATE0")

    def until(self, want, timeout=10):
        deadline = time.monotonic() + timeout
        while want.encode() not in self.buf:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("line closed")
            self.buf += chunk
        head, _, self.buf = self.buf.partition(want.encode())
        return (head + want.encode()).decode(errors="replace")

    def command(self, cmd, final=("OK\r\n", "ERROR")):
        """Sends `cmd` and returns the answer up to its final result."""
        self.sock.sendall(cmd.encode() + b"\r")
        got = ""
        while not any(f in got for f in final):
            got += self.until("\r\n")
        return got

    def close(self):
        self.sock.close()


def start_module(workdir, binary=None, extra=()):
    """Starts `ftpmodem serve --tcp 127.0.0.1:0 --control <workdir>/ctl.sock`; returns
    (process, line address, control address) once both are announced on stderr."""
    binary = binary or os.environ.get("FTPMODEM_BIN", "ftpmodem")
    sock = os.path.join(workdir, "ctl.sock")
    proc = subprocess.Popen(
        [binary, "serve", "--tcp", "127.0.0.1:0", "--fs-root", os.path.join(workdir, "fs"),
         "--control", sock, *extra],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line_addr = control = None
    while line_addr is None or control is None:
        msg = proc.stderr.readline()
        if not msg:
            raise RuntimeError("ftpmodem serve exited (code %s)" % proc.wait())
        if " module on tcp " in msg:
            line_addr = msg.split(" module on tcp ")[1].strip()
        if msg.startswith("ftpmodem: control socket on "):
            control = msg.split(" on ", 1)[1].strip()
    return proc, line_addr, control


def main():
    with tempfile.TemporaryDirectory() as workdir:
        proc, line_addr, control_addr = start_module(workdir)
        try:
            ctl, line = Control(control_addr), Line(line_addr)
            assert "+CPIN: READY" in line.command("AT+CPIN?")
            fault = ctl.arm("sim_removed")
            assert "+CME ERROR: 10" in line.command("AT+CPIN?")
            assert ctl.status()["network"]["sim"] is False
            ctl.clear(fault)
            assert "+CPIN: READY" in line.command("AT+CPIN?")
            print("ok: the firmware saw the SIM go and come back")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    sys.exit(main())
