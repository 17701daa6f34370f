"""Runs the command lines of tools/reference/peft_reference.py and peft_mix.py in one Python process.

Each request is one JSON line on stdin, {"script": "peft_reference" | "peft_mix", "argv": [...]};
the script's own main() runs with those arguments (sys.argv replaced, its stdout captured) and the
answer is one JSON line, {"stdout": "..."} or {"error": "..."}. Same code, same arguments, same
output as `/usr/bin/python3 tools/reference/<script>.py ARGV...`; only PyTorch's import (about
1.5 s, most of a reference call) is paid once per test file instead of once per call.
"""
import contextlib
import io
import json
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tools", "reference"))

import peft_mix  # noqa: E402
import peft_reference  # noqa: E402

SCRIPTS = {"peft_reference": peft_reference, "peft_mix": peft_mix}
answers = sys.stdout

for line in sys.stdin:
    request = json.loads(line)
    captured = io.StringIO()
    try:
        script = SCRIPTS[request["script"]]
        sys.argv = [f"{request['script']}.py", *request["argv"]]
        with contextlib.redirect_stdout(captured):
            script.main()
        answer = {"stdout": captured.getvalue()}
    except BaseException:  # noqa: BLE001 - argparse's SystemExit too: the caller sees it as a failed run
        answer = {"error": traceback.format_exc()}
    answers.write(json.dumps(answer) + "\n")
    answers.flush()
