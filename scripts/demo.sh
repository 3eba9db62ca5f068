#!/usr/bin/env bash
# The main job on the shipped demo data, end to end. Called by `make demo`.
#   TEST PKI and TEST CA -> identities -> approved policy -> answers -> recommendation
#   -> decision -> three sign-offs -> signed PDF/A record -> verify against the trust roots
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

step "A TEST PKI: root and issuing CA, OCSP responder, CRLs and a time-stamping authority on 127.0.0.1"
# TEST certificates and passphrases only, never for operational use.
TSA=$("$BIN/python" -m tests.pki up "$PKI")
trap '"$BIN/python" -m tests.pki down "$PKI"' EXIT
export BWVDISCLOSE_TSA=$TSA
export DEMO_PASSPHRASE=$("$BIN/python" -c 'from tests.pki import PASSPHRASE; print(PASSPHRASE)')
echo "time-stamping authority: $TSA"
echo "trust root: $PKI/root.pem; identities it issued (decision maker, legal, data protection):"
ls "$KEYS"/amy-ward.p12 "$KEYS"/sam-okafor.p12 "$KEYS"/priya-shah.p12

step "A TEST certificate authority made with bwvdisclose, and the policy owner it issues"
"$BWV" keys ca "$OUT/ca" --passphrase-env DEMO_PASSPHRASE
"$BWV" keys create --ca "$OUT/ca" --ca-passphrase-env DEMO_PASSPHRASE --passphrase-env DEMO_PASSPHRASE \
  --out "$OUT/owner" --name "Olivia Grant" --role policy_owner --rank "Head of Information Governance" \
  --number IG01
# The trust roots every signature must chain to: both CAs, configured once.
export BWVDISCLOSE_TRUST=$PKI/root.pem:$OUT/ca/ca.pem

step "The policy owner approves the policy version (a detached approval beside the folder)"
mkdir -p "$OUT/criteria" && cp -r criteria/met-bwv-2020-v2 "$OUT/criteria/"
export BWVDISCLOSE_CRITERIA=$OUT/criteria/met-bwv-2020-v2
"$BWV" criteria approve "$BWVDISCLOSE_CRITERIA" --key "$OUT/owner/olivia-grant.p12" --passphrase-env DEMO_PASSPHRASE
"$BWV" criteria check "$BWVDISCLOSE_CRITERIA"

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

step "The signed PDF/A-3a decision record, timestamped, with revocation data (PAdES B-LTA)"
"$BWV" record "$CASE" --key "$KEYS/amy-ward.p12" --passphrase-env DEMO_PASSPHRASE \
  --out "$OUT/$CASE-record.pdf"

step "An archivist adds a fresh archive timestamp"
"$BWV" extend "$OUT/$CASE-record.pdf"

step "The footage goes out: the release is logged (DPA 2018 s.62)"
"$BWV" disclosed "$CASE" --to "Met Police YouTube channel" --url "https://www.youtube.com/@metpoliceuk" \
  --user "Amy Ward" --user-role "decision maker" --number 4711
"$BWV" audit due --on "$REVIEW"

step "Verify the case log and the record against the trust roots (the record offline: services stopped)"
"$BWV" verify "$CASE"
"$BIN/python" -m tests.pki down "$PKI"
"$BWV" verify "$OUT/$CASE-record.pdf"

step "The same record checked against another root: intact, but not trusted (exit 3)"
set +e
"$BWV" verify "$OUT/$CASE-record.pdf" --trust demo/ca/ca.pem 2>&1 | grep -E "NOT TRUSTED|error" | head -3
code=${PIPESTATUS[0]}
set -e
echo "exit code $code"
[ "$code" = 3 ]

printf '\nThe decision record is at %s\n' "$OUT/$CASE-record.pdf"
