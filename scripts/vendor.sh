#!/usr/bin/env bash
# Copy the front-end packages named in package.json into the tree, so that running
# Cercle (and its tests) never needs Node. Run after changing package.json.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --no-save
install -D -m 0644 node_modules/htmx.org/dist/htmx.min.js cercle/static/vendor/htmx/htmx.min.js
install -D -m 0644 node_modules/htmx.org/LICENSE cercle/static/vendor/htmx/LICENSE
# Chart.js draws the cockpit's charts (each chart's data is also a table on the page).
# Without its source map (not shipped): the reference to it would break collectstatic.
mkdir -p cercle/static/vendor/chartjs
sed '/sourceMappingURL=/d' node_modules/chart.js/dist/chart.umd.min.js > cercle/static/vendor/chartjs/chart.umd.min.js
install -D -m 0644 node_modules/chart.js/LICENSE.md cercle/static/vendor/chartjs/LICENSE.md
# Lucide's icons (ISC), only those listed in ICONS: {% icon %} inlines them in pages.
for name in $(cat cercle/static/vendor/lucide/ICONS); do
  install -D -m 0644 "node_modules/lucide-static/icons/$name.svg" "cercle/static/vendor/lucide/$name.svg"
done
install -D -m 0644 node_modules/lucide-static/LICENSE cercle/static/vendor/lucide/LICENSE
# Inter (SIL OFL 1.1), the self-hosted text font: the variable weight axis, upright
# and italic, for the latin and latin-ext ranges (French and English); cercle.css
# declares them with @font-face and font-display: swap.
for range in latin latin-ext; do
  for style in normal italic; do
    install -D -m 0644 "node_modules/@fontsource-variable/inter/files/inter-$range-wght-$style.woff2" \
      "cercle/static/vendor/inter/inter-$range-wght-$style.woff2"
  done
done
install -D -m 0644 node_modules/@fontsource-variable/inter/LICENSE cercle/static/vendor/inter/LICENSE
# GitHub's <markdown-toolbar> (MIT): the composer's formatting buttons, an ES module.
install -D -m 0644 node_modules/@github/markdown-toolbar-element/dist/index.js cercle/static/vendor/markdown-toolbar/index.js
install -D -m 0644 node_modules/@github/markdown-toolbar-element/LICENSE cercle/static/vendor/markdown-toolbar/LICENSE
# axe-core checks accessibility in the browser tests only; it is not served to users.
install -D -m 0644 node_modules/axe-core/axe.min.js tests/e2e/vendor/axe-core/axe.min.js
install -D -m 0644 node_modules/axe-core/LICENSE tests/e2e/vendor/axe-core/LICENSE
node -e 'for (const p of ["htmx.org","chart.js","axe-core","lucide-static","@fontsource-variable/inter","@github/markdown-toolbar-element"]) console.log(p, require(`./node_modules/${p}/package.json`).version)' \
  > cercle/static/vendor/VERSIONS
cat cercle/static/vendor/VERSIONS
