# lib.bash - sourced by the bench scripts: where the real data is, and a
# scratch folder with it decompressed. Set before sourcing: NAME (for
# messages), BENCH (the binary). Sets: repo, tmp (removed on exit), files.
# The data is read in place from ../shared/data/events (override with
# KBC_SHARED_DIR=/path/to/shared) and never copied into the repository.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
events=${KBC_SHARED_DIR:-$repo/../shared}/data/events
files=(winlogbeat7-ecs winlogbeat6-kafka nxlog-wec-kafka)

die() {
	echo "$NAME: $*" >&2
	exit 2
}

[[ -x $BENCH ]] || die "no $BENCH; build it first:
  cmake -S $repo -B BUILD_DIR && cmake --build BUILD_DIR --target $(basename "$BENCH")"
for f in "${files[@]}"; do
	[[ -r $events/$f.jsonl.xz ]] ||
		die "real data missing: $events/$f.jsonl.xz (expected shared/ next to the repo, or set KBC_SHARED_DIR)"
done
command -v xz >/dev/null || die "xz not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# decompress FILE: the real capture FILE (a name from files) into $tmp.
decompress() {
	xz -dc "$events/$1.jsonl.xz" >"$tmp/$1.jsonl" ||
		die "cannot decompress $events/$1.jsonl.xz"
}
