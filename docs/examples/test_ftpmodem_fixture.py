"""A pytest fixture that gives each test its own virtual ML30x module, and a test that arms a
fault and asserts on what the firmware sees on its line.

    FTPMODEM_BIN=target/debug/ftpmodem python3 -m pytest docs/examples/test_ftpmodem_fixture.py

Uses docs/examples/ftpmodem_control.py (standard library only).
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from ftpmodem_control import Control, Line, start_module  # noqa: E402


@pytest.fixture
def module(tmp_path):
    """(control, line) of a fresh module; stopped after the test."""
    proc, line_addr, control_addr = start_module(str(tmp_path))
    ctl, line = Control(control_addr), Line(line_addr)
    yield ctl, line
    ctl.close()
    line.close()
    proc.terminate()
    proc.wait()


def test_registration_lost_is_reported_per_cereg(module):
    ctl, line = module
    line.command("AT+CEREG=1")
    fault = ctl.arm("registration_lost")
    assert "+CEREG: 2" in line.until("+CEREG: 2\r\n")
    assert "+CEREG: 1,2" in line.command("AT+CEREG?")
    ctl.clear(fault)
    line.until("+CEREG: 1\r\n")


def test_a_weak_signal(module):
    ctl, line = module
    ctl.arm("signal", rssi=3)
    assert "+CSQ: 3," in line.command("AT+CSQ")
