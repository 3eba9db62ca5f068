#!/usr/bin/env bash
# The main job on the shipped demo data, end to end. Called by `make demo`.
#   TEST CA -> identities -> approved policy -> answers -> recommendation -> decision
#   -> three sign-offs -> signed PDF/A record -> verify against the CA as trust root
set -euo pipefail
BIN=$1
OUT=${2:-build/demo}
STORE=casefiles/demo
KEYS=$OUT/keys
BWV="$BIN/bwvdisclose"

rm -rf "$STORE" "$OUT"
mkdir -p "$OUT"
# Demo identities and passphrase: TEST certificates only, never for operational use.
export BWVDISCLOSE_STORE=$STORE
export DEMO_PASSPHRASE="demo only - not a real passphrase"

step() { printf '\n== %s\n' "$*"; }


step "A TEST certificate authority (the force would use its own CA)"
"$BWV" keys ca "$OUT/ca" --passphrase-env DEMO_PASSPHRASE
export BWVDISCLOSE_TRUST=$OUT/ca/ca.pem   # the one trust root every signature must chain to

step "TEST identities issued from it: a policy owner, a decision maker, legal, data protection"
issue() { "$BWV" keys create --ca "$OUT/ca" --ca-passphrase-env DEMO_PASSPHRASE \
  --passphrase-env DEMO_PASSPHRASE --out "$KEYS" "$@" >/dev/null; }
issue --name "Olivia Grant" --role policy_owner --rank "Head of Information Governance" --number IG01
issue --name "Amy Ward" --role decision_maker --rank Inspector --number 4711
issue --name "Sam Okafor" --role legal --rank Solicitor --number L220
issue --name "Priya Shah" --role data_protection --rank "Data Protection Officer" --number D17
ls "$KEYS"

step "The policy owner approves the policy version (a detached approval beside the folder)"
mkdir -p "$OUT/criteria" && cp -r criteria/met-bwv-2020 "$OUT/criteria/"
export BWVDISCLOSE_CRITERIA=$OUT/criteria/met-bwv-2020
"$BWV" criteria approve "$BWVDISCLOSE_CRITERIA" --key "$KEYS/olivia-grant.p12" --passphrase-env DEMO_PASSPHRASE
"$BWV" criteria check "$BWVDISCLOSE_CRITERIA"

step "A duty officer opens a case from the shipped answers (demo/answers/protest.yaml)"
CASE=$("$BWV" new --user "PS Dan Reid" --user-role "duty officer" --number 2291 \
  --incident-ref "CAD 4417/14NOV" --occurred 2026-11-14T14:52 --location "Whitehall, London SW1" \
  --clip BWV-22914-0001 --clip BWV-22914-0002 --answers demo/answers/protest.yaml)
echo "opened $CASE in $STORE"
"$BWV" show "$CASE"

step "The decision maker decides, and three people sign off"
"$BWV" decide "$CASE" --outcome publish_with_redactions --user "Amy Ward" --user-role "decision maker" \
  --number 4711 --rationale "Agree: the footage shows what officers faced; faces of protesters to be blurred."
"$BWV" sign "$CASE" --role decision_maker --key "$KEYS/amy-ward.p12" --passphrase-env DEMO_PASSPHRASE
"$BWV" sign "$CASE" --role legal --key "$KEYS/sam-okafor.p12" --passphrase-env DEMO_PASSPHRASE
"$BWV" sign "$CASE" --role data_protection --key "$KEYS/priya-shah.p12" --passphrase-env DEMO_PASSPHRASE

step "The signed PDF/A-3b decision record"
"$BWV" record "$CASE" --key "$KEYS/amy-ward.p12" --passphrase-env DEMO_PASSPHRASE --out "$OUT/$CASE-record.pdf"

step "Verify the case log and the record against the trust root"
"$BWV" verify "$CASE"
"$BWV" verify "$OUT/$CASE-record.pdf"

step "The same record checked against another root: intact, but not trusted (exit 3)"
set +e
"$BWV" verify "$OUT/$CASE-record.pdf" --trust demo/ca/ca.pem 2>&1 | grep -E "NOT TRUSTED|error" | head -3
code=${PIPESTATUS[0]}
set -e
echo "exit code $code"
[ "$code" = 3 ]

printf '\nThe decision record is at %s\n' "$OUT/$CASE-record.pdf"
