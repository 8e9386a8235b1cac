#!/usr/bin/env bash
# Installs what a fresh machine lacks; a no-op when everything is present.
# Called by `make setup` (and so by `make demo`, `make test`, `make bench`); `setup.sh fuzz`
# (from `make fuzz` and `make fuzz-ci`) adds nightly Rust and cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Rust: the wasm target and the lint/format components.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for c in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$c"; then
    say "adding rustup component $c"
    rustup component add "$c"
  fi
done

# wasm-bindgen-cli must equal the wasm-bindgen version in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$want" != "$have" ]; then
  say "installing wasm-bindgen-cli $want (found '${have:-none}'; takes about 2 minutes)"
  # Not --locked: the registry mirror may lack the exact versions of its lock file.
  cargo install wasm-bindgen-cli --version "$want"
fi

# npm dev dependencies (wasm-opt from binaryen 132, playwright-core, typescript, …).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies"
  npm ci --no-audit --no-fund
fi

# Debian's Chromium and ChromeDriver for the browser tests (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing Debian chromium and chromium-driver"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver
fi

# Python packages: duckdb runs sql/cooccurrence.sql in the tests; implicit is the centralized
# peer of the next-basket evaluation (`make bench`). Both ship wheels; nothing is compiled.
if ! command -v python3 >/dev/null; then
  say "installing python3 and pip"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3 python3-pip
fi
for mod in duckdb implicit; do
  if ! python3 -c "import $mod" 2>/dev/null; then
    say "installing the Python package $mod"
    python3 -m pip install --quiet "$mod" || python3 -m pip install --quiet --break-system-packages "$mod"
  fi
done

# Fuzzing (`make fuzz`, and `make fuzz-ci` within `make test`): cargo-fuzz needs nightly Rust.
# Measured on a 2-core machine: `cargo install cargo-fuzz` takes about 95 s of CPU (1.5–4 min
# wall) the first time, building the targets 2–5 min (docs/RELIABILITY.md).
if [ "${1:-}" = fuzz ]; then
  if ! rustup toolchain list | grep -q '^nightly'; then
    say "installing the nightly toolchain (for cargo-fuzz)"
    rustup toolchain install nightly --profile minimal
  fi
  if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz (about 95 s of CPU)"
    # Not --locked: the registry mirror may lack the exact versions of its lock file.
    cargo install cargo-fuzz
  fi
fi
