#!/usr/bin/env bash
set -euo pipefail
BIN=$1
"$BIN/bwvdisclose" --help
