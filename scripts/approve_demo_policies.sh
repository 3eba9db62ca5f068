#!/usr/bin/env bash
# Give every shipped policy folder a TEST approval by the demo policy owner (demo/ca/),
# skipping folders already approved. Run after changing any file in criteria/*/ or adding
# a folder there (`make approvals`). TEST approvals only: a force approves with its own key.
set -euo pipefail
BIN=$1
export BWV_DEMO_OWNER_PASS="bwvdisclose demo policy owner - TEST ONLY"
for dir in criteria/*/; do
  dir=${dir%/}
  if "$BIN/bwvdisclose" criteria check "$dir" --trust demo/ca/ca.pem 2>/dev/null | grep -q '^approved by'; then
    echo "$dir: already approved"
    continue
  fi
  "$BIN/bwvdisclose" criteria approve "$dir" --key demo/ca/demo-policy-owner.p12 \
    --passphrase-env BWV_DEMO_OWNER_PASS --trust demo/ca/ca.pem
done
