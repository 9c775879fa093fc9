#!/usr/bin/env bash
# Regenerates docs/estimate-chart.png, the chart shown in the README, with the same code the
# bot uses to draw estimates.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ptcc estimate --years 6 --education associate --cert CMAA --location Boston \
    --chart docs/estimate-chart.png >/dev/null
echo "wrote docs/estimate-chart.png"
