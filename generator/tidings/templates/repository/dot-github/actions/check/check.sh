#!/usr/bin/env bash
# Runs `tidings check` in the current folder and reports in the GitHub Actions job summary.
# Under GITHUB_ACTIONS=true the check itself prints `::error`/`::warning` annotations, which the
# runner puts on the file and line. Exits with the check's status: errors fail the step,
# warnings (overdue updates) never do. Arguments are passed on to `tidings check`.
set -uo pipefail

out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

status=0
tidings check "$@" >"$out" 2>"$err" || status=$?
cat "$out"
cat "$err" >&2

# Problems are "path:line: message" or "path:line: warning: message"; annotations start "::".
located() { grep -v '^::' "$out" | grep -E '^[^:]+:[0-9]+: '; }
warnings() { located | grep -E '^[^:]+:[0-9]+: warning: '; }
as_items() { sed -E 's/^([^:]+:[0-9]+): (warning: )?/- `\1` /'; }

errors=$(located | grep -vE '^[^:]+:[0-9]+: warning: ' | as_items)
overdue=$(warnings | grep -E ': warning: update overdue' | as_items)
others=$(warnings | grep -vE ': warning: update overdue' | as_items)

section() {
  [ -n "$2" ] && printf '\n#### %s\n\n%s\n' "$1" "$2"
  return 0
}

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo "### Content check"
    echo
    # The check's one-line count ("0 error(s), 1 warning(s) in …"), or why it could not run.
    sed 's/^/> /' "$err"
    section "Errors (they fail this run)" "$errors"
    section "Overdue open incidents (never fail a build: post an update)" "$overdue"
    section "Other warnings" "$others"
    if [ -z "$errors$overdue$others" ] && [ "$status" -eq 0 ]; then
      printf '\nNo problems.\n'
    fi
  } >>"$GITHUB_STEP_SUMMARY"
fi
exit "$status"
