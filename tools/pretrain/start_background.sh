#!/bin/sh
# Start (or resume) pretraining in the background, detached from the terminal, at low priority.
# Usage: tools/pretrain/start_background.sh [extra train.py flags]
# Refuses to start a second copy while the one recorded in the pid file is alive.
set -eu
WORK="${ATTUNE_PRETRAIN_DIR:-/work/attune-pretrain}"
PIDFILE="$WORK/train.pid"
cd "$(dirname "$0")/../.."
mkdir -p "$WORK"
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "pretraining already running (pid $(cat "$PIDFILE")); log: $WORK/train.log" >&2
  exit 1
fi
setsid nohup nice -n 5 /usr/bin/python3 tools/pretrain/train.py --device cpu --threads 1 "$@" \
  >> "$WORK/train.log" 2>&1 < /dev/null &
echo $! > "$PIDFILE"
echo "pretraining started (pid $!); log: $WORK/train.log; stop with: kill \$(cat $PIDFILE)"
