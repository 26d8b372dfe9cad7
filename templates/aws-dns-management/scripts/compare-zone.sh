#!/usr/bin/env bash
# Compares what two name servers answer for every record set of a hosted zone: the old zone's and
# the new zone's, while a zone moves between accounts (docs/runbook.md, "Moving zones into the DNS
# account"). Every (name, type) of the old zone is asked of both with `dig +norecurse`, so a record
# that was not copied shows up too. The apex NS and SOA differ by design and are skipped.
#
# Usage: scripts/compare-zone.sh LISTING.json OLD_NAME_SERVER NEW_NAME_SERVER
#   LISTING.json: `aws route53 list-resource-record-sets --hosted-zone-id <old zone id> --output json`
# Exit status: 0 when every answer matches, 1 when any differs, 2 on bad arguments.
# Needs jq and dig. Answers are compared as sorted lines; records with a routing policy (weighted,
# latency...) may answer differently from query to query: judge those by hand.
set -euo pipefail

if [ "$#" -ne 3 ] || [ ! -r "$1" ]; then
  echo "usage: $0 LISTING.json OLD_NAME_SERVER NEW_NAME_SERVER" >&2
  exit 2
fi
listing=$1
old=$2
new=$3
apex=$(jq -r '[.ResourceRecordSets[] | select(.Type == "SOA")][0].Name // empty' "$listing")

# Route 53 writes characters outside [a-z0-9_-] in names as \ddd octal escapes (a wildcard is \052).
decode() {
  printf '%b' "$(printf '%s' "$1" | sed 's/\\\([0-7][0-7][0-7]\)/\\0\1/g')"
}

ask() {
  dig +short +norecurse "$3" "$2" "@$1" | sort
}

same=0
differ=0
while IFS=$'\t' read -r raw type; do
  if [ "$raw" = "$apex" ] && { [ "$type" = NS ] || [ "$type" = SOA ]; }; then
    continue
  fi
  name=$(decode "$raw")
  before=$(ask "$old" "$name" "$type")
  after=$(ask "$new" "$name" "$type")
  if [ "$before" = "$after" ]; then
    same=$((same + 1))
  else
    differ=$((differ + 1))
    printf 'DIFFERS: %s %s\n  old (%s):\n%s\n  new (%s):\n%s\n' "$name" "$type" "$old" \
      "$(printf '%s\n' "$before" | sed 's/^/    /')" "$new" "$(printf '%s\n' "$after" | sed 's/^/    /')"
  fi
done < <(jq -r '[.ResourceRecordSets[] | [.Name, .Type]] | unique[] | "\(.[0])\t\(.[1])"' "$listing")

echo "$same record set(s) answer the same, $differ differ"
[ "$differ" -eq 0 ]
