#!/usr/bin/env bash
# The main job on the shipped demo data, end to end. Called by `make demo`.
#   answers -> recommendation -> decision -> three sign-offs -> signed PDF/A record -> verify
# The record is sealed at PAdES B-LTA against a TEST PKI whose time-stamping authority,
# OCSP responder and CRLs (certomancer) run on 127.0.0.1 for the demo and stop after it.
set -euo pipefail
BIN=$1
OUT=${2:-build/demo}
STORE=casefiles/demo
PKI=$OUT/pki
KEYS=$PKI/identities
BWV="$BIN/bwvdisclose"

rm -rf "$STORE" "$OUT"
mkdir -p "$OUT"
export BWVDISCLOSE_STORE=$STORE

step() { printf '\n== %s\n' "$*"; }

step "bwvdisclose criteria check"
"$BWV" criteria check

step "A TEST PKI: root and issuing CA, OCSP responder, CRLs and a time-stamping authority on 127.0.0.1"
# TEST certificates and passphrase only, never for operational use.
TSA=$("$BIN/python" -m tests.pki up "$PKI")
trap '"$BIN/python" -m tests.pki down "$PKI"' EXIT
export BWVDISCLOSE_TSA=$TSA
export DEMO_PASSPHRASE=$("$BIN/python" -c 'from tests.pki import PASSPHRASE; print(PASSPHRASE)')
echo "time-stamping authority: $TSA"
echo "trust root: $PKI/root.pem; identities (decision maker, legal, data protection):"
ls "$KEYS"/amy-ward.p12 "$KEYS"/sam-okafor.p12 "$KEYS"/priya-shah.p12

step "A duty officer opens a case from the shipped answers (demo/answers/protest.yaml)"
CASE=$("$BWV" new --user "PS Dan Reid" --user-role "duty officer" --number 2291 \
  --incident-ref "CAD 4417/14NOV" --occurred 2026-11-14T14:52 --location "Whitehall, London SW1" \
  --clip BWV-22914-0001 --clip BWV-22914-0002 --answers demo/answers/protest.yaml)
echo "opened $CASE in $STORE"
"$BWV" show "$CASE"

step "The decision maker decides, and three people sign off"
REVIEW=$(date -u -d "+90 days" +%F)
"$BWV" decide "$CASE" --outcome publish_with_redactions --user "Amy Ward" --user-role "decision maker" \
  --number 4711 --rationale "Agree: the footage shows what officers faced; faces of protesters to be blurred." \
  --review-by "$REVIEW" \
  --note "explanatory_context_required=Press office statement explains the baton use and the arrests" \
  --note "amplification_warning=Digital team briefed; comments monitored for 72 hours" \
  --note "review_date_required=Review set for $REVIEW with the Digital Media Unit"
"$BWV" sign "$CASE" --role decision_maker --key "$KEYS/amy-ward.p12" --passphrase-env DEMO_PASSPHRASE
"$BWV" sign "$CASE" --role legal --key "$KEYS/sam-okafor.p12" --passphrase-env DEMO_PASSPHRASE
"$BWV" sign "$CASE" --role data_protection --key "$KEYS/priya-shah.p12" --passphrase-env DEMO_PASSPHRASE

step "The signed PDF/A-3b decision record, timestamped, with revocation data (PAdES B-LTA)"
"$BWV" record "$CASE" --key "$KEYS/amy-ward.p12" --passphrase-env DEMO_PASSPHRASE \
  --trust "$PKI/root.pem" --out "$OUT/$CASE-record.pdf"

step "An archivist adds a fresh archive timestamp"
"$BWV" extend "$OUT/$CASE-record.pdf" --trust "$PKI/root.pem"

step "The footage goes out: the release is logged (DPA 2018 s.62)"
"$BWV" disclosed "$CASE" --to "Met Police YouTube channel" --url "https://www.youtube.com/@metpoliceuk" \
  --user "Amy Ward" --user-role "decision maker" --number 4711
"$BWV" audit due --on "$REVIEW"

step "Verify the case log and the record (the record offline: the services are stopped first)"
"$BWV" verify "$CASE"
"$BIN/python" -m tests.pki down "$PKI"
"$BWV" verify "$OUT/$CASE-record.pdf" --trust "$PKI/root.pem"

printf '\nThe decision record is at %s\n' "$OUT/$CASE-record.pdf"
