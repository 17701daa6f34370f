#!/usr/bin/env bash
# The Python tests of tools/ (pretraining pipeline, PyTorch references), run with Debian's Python,
# which is where python3-torch and python3-numpy install.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
if ! "$PY" -c 'import numpy, torch' 2>/dev/null; then
  echo "tools/test-python.sh: $PY lacks numpy or torch; install them: apt-get install -y python3-numpy python3-torch libopenblas0-pthread" >&2
  exit 1
fi
"$PY" -m unittest discover -s tools/pretrain -p 'test_*.py'
