#!/usr/bin/env bash
# Copies pinned front-end libraries from the npm registry into web/static/vendor/, each with
# its licence. Run after changing a version; the copied files are committed, so running
# Omnivox never needs npm or a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/omnivox/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name@version  file-in-package  target-name
packages=(
  "htmx.org@2.0.11 dist/htmx.min.js htmx/htmx.min.js"
  "@twilio/voice-sdk@2.18.5 dist/twilio.min.js twilio-voice/twilio.min.js"
  "chart.js@4.5.1 dist/chart.umd.min.js chartjs/chart.umd.min.js"
)
for entry in "${packages[@]}"; do
  read -r spec file target <<<"$entry"
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  tgz=$(ls "$work"/*.tgz | head -n 1)
  mkdir -p "$work/x" && tar -xzf "$tgz" -C "$work/x"
  mkdir -p "$dest/$(dirname "$target")"
  cp "$work/x/package/$file" "$dest/$target"
  cp "$work/x/package/LICENSE"* "$dest/$(dirname "$target")/" 2>/dev/null \
    || { echo "no licence in $spec" >&2; exit 1; }
  echo "$spec" > "$dest/$(dirname "$target")/VERSION"
  rm -rf "$work/x" "$tgz"
done
echo "vendored into $dest"
