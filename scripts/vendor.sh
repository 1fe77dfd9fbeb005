#!/usr/bin/env bash
# Copy the front-end packages named in package.json into the tree, so that running
# Cercle (and its tests) never needs Node. Run after changing package.json.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --no-save
install -D -m 0644 node_modules/htmx.org/dist/htmx.min.js cercle/static/vendor/htmx/htmx.min.js
install -D -m 0644 node_modules/htmx.org/LICENSE cercle/static/vendor/htmx/LICENSE
# axe-core checks accessibility in the browser tests only; it is not served to users.
install -D -m 0644 node_modules/axe-core/axe.min.js tests/e2e/vendor/axe-core/axe.min.js
install -D -m 0644 node_modules/axe-core/LICENSE tests/e2e/vendor/axe-core/LICENSE
node -e 'for (const p of ["htmx.org","axe-core"]) console.log(p, require(`./node_modules/${p}/package.json`).version)' \
  > cercle/static/vendor/VERSIONS
cat cercle/static/vendor/VERSIONS
