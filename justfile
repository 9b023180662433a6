# Recipes for contributors (`just` comes with `bun install`: node_modules/.bin/just).
# The same entry points work without just: see scripts/dev.sh.

set dotenv-load := false

# list recipes
default:
    @just --list

# install what is missing, start the stack and serve the API with reload
serve:
    bash scripts/dev.sh serve

# typecheck and run every test against a stack (started and stopped if not running)
test *args:
    bash scripts/dev.sh test {{args}}

# start the service stack and write .env
stack:
    bash scripts/dev.sh stack

# stop the service stack
stack-down:
    bun stack/down.ts

# show the stack's services, ports and PIDs
stack-status:
    bun stack/status.ts

# compile the single executable dist/imbi
build:
    bun scripts/build.ts

# regenerate config.example.toml and docs/settings.md from src/config/settings.ts
docs:
    bun scripts/generate-docs.ts

# benchmarks (need the stack: `just stack`)
bench:
    bun bench/status.ts

typecheck:
    tsc --noEmit -p .
