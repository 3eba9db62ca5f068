#!/usr/bin/env bash
# The main job on the shipped demo data, end to end. Called by `make demo`.
#   answers -> recommendation -> decision -> three sign-offs -> signed PDF/A record -> verify
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

step "bwvdisclose criteria check"
"$BWV" criteria check

step "Three TEST signing identities (decision maker, legal, data protection)"
"$BWV" keys create --name "Insp Amy Ward" --role decision_maker --rank Inspector --number 4711 \
  --out "$KEYS" --passphrase-env DEMO_PASSPHRASE >/dev/null
"$BWV" keys create --name "Sam Okafor" --role legal --rank Solicitor --number L220 \
  --out "$KEYS" --passphrase-env DEMO_PASSPHRASE >/dev/null
"$BWV" keys create --name "Priya Shah" --role data_protection --rank "Data Protection Officer" --number D17 \
  --out "$KEYS" --passphrase-env DEMO_PASSPHRASE >/dev/null
ls "$KEYS"

step "A duty officer opens a case from the shipped answers (demo/answers/protest.yaml)"
CASE=$("$BWV" new --user "PS Dan Reid" --user-role "duty officer" --number 2291 \
  --incident-ref "CAD 4417/14NOV" --occurred 2026-11-14T14:52 --location "Whitehall, London SW1" \
  --clip BWV-22914-0001 --clip BWV-22914-0002 --answers demo/answers/protest.yaml)
echo "opened $CASE in $STORE"
"$BWV" show "$CASE"

step "The decision maker decides, and three people sign off"
REVIEW=$(date -u -d "+90 days" +%F)
"$BWV" decide "$CASE" --outcome publish_with_redactions --user "Insp Amy Ward" --user-role "decision maker" \
  --number 4711 --rationale "Agree: the footage shows what officers faced; faces of protesters to be blurred." \
  --review-by "$REVIEW" \
  --note "explanatory_context_required=Press office statement explains the baton use and the arrests" \
  --note "amplification_warning=Digital team briefed; comments monitored for 72 hours" \
  --note "review_date_required=Review set for $REVIEW with the Digital Media Unit"
"$BWV" sign "$CASE" --role decision_maker --key "$KEYS/insp-amy-ward.p12" --passphrase-env DEMO_PASSPHRASE
"$BWV" sign "$CASE" --role legal --key "$KEYS/sam-okafor.p12" --passphrase-env DEMO_PASSPHRASE
"$BWV" sign "$CASE" --role data_protection --key "$KEYS/priya-shah.p12" --passphrase-env DEMO_PASSPHRASE

step "The signed PDF/A-3b decision record"
"$BWV" record "$CASE" --key "$KEYS/insp-amy-ward.p12" --passphrase-env DEMO_PASSPHRASE --out "$OUT/$CASE-record.pdf"

step "The footage goes out: the release is logged (DPA 2018 s.62)"
"$BWV" disclosed "$CASE" --to "Met Police YouTube channel" --url "https://www.youtube.com/@metpoliceuk" \
  --user "Insp Amy Ward" --user-role "decision maker" --number 4711
"$BWV" audit due --on "$REVIEW"

step "Verify the case log and the record"
"$BWV" verify "$CASE"
"$BWV" verify "$OUT/$CASE-record.pdf" --trust "$KEYS/insp-amy-ward.pem"

printf '\nThe decision record is at %s\n' "$OUT/$CASE-record.pdf"
