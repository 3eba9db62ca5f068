#!/usr/bin/env bash
# The main job on shipped demo data. Called by `make demo` with the venv's bin folder.
set -euo pipefail
BIN=$1
OUT=${2:-build/demo}
mkdir -p "$OUT"
echo "== bwvdisclose criteria check"
"$BIN/bwvdisclose" criteria check
echo
echo "== bwvdisclose evaluate demo/answers/protest.yaml"
"$BIN/bwvdisclose" evaluate demo/answers/protest.yaml
