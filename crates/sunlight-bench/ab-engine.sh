#!/usr/bin/env bash
# A/B of the engine's write path, same machine, same run: the `engine` benchmark of a base
# commit and of this checkout, alternated (so a disk that drifts during the run hurts both
# sides alike), with 1 and 4 clients, 32 cases in flight per client and 1.
#
#   crates/sunlight-bench/ab-engine.sh BASE_COMMIT [ROUNDS] [NEW_COMMIT]
#
# Builds both in release into one target directory (each in a temporary worktree of its
# commit — NEW_COMMIT is HEAD unless given — so edits in progress never leak in; before
# 2026-12 the benchmark was `sunlight bench engine`, since then `sunlight-bench engine`), then
# writes each run to target/ab/. Compare the "% of raw limit" columns: the raw insert limit is
# measured in the same invocation, so the ratio survives the disk's speed changing.
set -euo pipefail
base=${1:?base commit}; rounds=${2:-3}; new=${3:-HEAD}
root=$(git rev-parse --show-toplevel); cd "$root"
pg=${SUNLIGHT_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
out=$root/target/ab; mkdir -p "$out"
wt=$(mktemp -d); git worktree add -q --detach "$wt" "$base"
nwt=$(mktemp -d); git worktree add -q --detach "$nwt" "$new"
trap 'git worktree remove --force "$wt"; git worktree remove --force "$nwt"' EXIT
export CARGO_TARGET_DIR=$root/target/ab-build
rm -f "$out/old" "$out/old-sunlight" "$out/new"
(cd "$wt"; if [ -d crates/sunlight-bench ]; then cargo build -q --release -p sunlight-bench; cp "$CARGO_TARGET_DIR/release/sunlight-bench" "$out/old"; else cargo build -q --release -p sunlight; cp "$CARGO_TARGET_DIR/release/sunlight" "$out/old-sunlight"; fi)
# Workspace crates of the two trees share names and versions: rebuild them for this tree.
for p in $(cargo metadata --no-deps --format-version 1 | grep -o '"name":"sunlight[a-z-]*"' | cut -d'"' -f4 | sort -u); do
  cargo clean -q --release -p "$p" || true
done
(cd "$nwt"; cargo build -q --release -p sunlight-bench; cp "$CARGO_TARGET_DIR/release/sunlight-bench" "$out/new")
old() { if [ -x "$out/old" ]; then "$out/old" engine "$@"; else "$out/old-sunlight" bench engine "$@"; fi; }
for round in $(seq 1 "$rounds"); do
  for inflight in 32 1; do
    for side in old new; do
      f=$out/r$round-$side-if$inflight.txt
      if [ $side = old ]; then old --cases 4000 --clients 1,4 --in-flight $inflight --postgres "$pg" >"$f" 2>&1
      else "$out/new" engine --cases 4000 --clients 1,4 --in-flight $inflight --postgres "$pg" >"$f" 2>&1; fi
      echo "round $round, $side, in-flight $inflight:"; grep 'cases/s' "$f" | sed 's/ (.*raw limit/ … raw limit/'
    done
  done
done
