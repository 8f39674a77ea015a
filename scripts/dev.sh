#!/usr/bin/env bash
# dev.sh - everything a fresh Debian 12 machine needs, in one place.
#
#   scripts/dev.sh run    install what is missing, build, run the main job
#   scripts/dev.sh test   install what is missing, build, run the whole suite
#                         (plain build, then ASan/UBSan build, then fuzzers)
#   scripts/dev.sh deps   only install the Debian packages
#   scripts/dev.sh bench  install the peers and tools bench/ compares with
#                         (sec, hyperfine, vectorscan, simdjson, GNU time),
#                         build build-bench/ (Release); then run bench/*.sh
#                         by hand
#
# Runs as root, or uses sudo. Build trees: build/, build-asan/, build-fuzz/,
# build-bench/.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNTIME_PKGS=(librdkafka-dev libpcre2-dev libmsgpack-dev libyaml-dev
	libexpat1-dev libevtx-dev libmicrohttpd-dev libjsmn-dev zlib1g-dev liblzma-dev
	libcurl4-openssl-dev libssl-dev)
BUILD_PKGS=(build-essential cmake pkg-config xz-utils)
TEST_PKGS=(libcmocka-dev jq kcat curl perl libdata-messagepack-perl clang libclang-rt-14-dev libevtx-utils
	chromium rsyslog rsyslog-gnutls openssl)
BENCH_PKGS=(sec hyperfine libvectorscan-dev time valgrind perl g++ libsimdjson-dev)
JOBS=$(nproc 2>/dev/null || echo 2)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "dev.sh: installing ${missing[*]}"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() { # build DIR [cmake options...]
	local dir=$1
	shift
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKBC_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j"$JOBS"
}

fuzz_briefly() { # each fuzzer a short run on its seed corpus; longer runs by hand
	local secs=${KBC_FUZZ_SECONDS:-30}
	CC=clang build build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON -DKBC_BENCH=OFF
	tests/fuzz/run.sh build-fuzz "$secs"
}

case "${1:-}" in
deps)
	install_missing "${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}" "${TEST_PKGS[@]}"
	;;
bench)
	install_missing "${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}" "${TEST_PKGS[@]}" "${BENCH_PKGS[@]}"
	build build-bench -DCMAKE_BUILD_TYPE=Release
	;;
run)
	install_missing "${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}"
	build build -DKBC_TESTS=OFF -DKBC_BENCH=OFF
	echo "== kbcorrd on an embedded mock Kafka cluster, fed examples/seed-scenarios.jsonl =="
	build/kbcorrd --config examples/kbcorrd-mock.yaml
	;;
test)
	install_missing "${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}" "${TEST_PKGS[@]}"
	build build -DKBC_TESTS=ON -DKBC_BENCH=ON
	ctest --test-dir build --output-on-failure -j"$JOBS"
	build build-asan -DKBC_SANITIZE=ON -DKBC_BENCH=OFF
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir build-asan --output-on-failure -j"$JOBS"
	fuzz_briefly
	;;
*)
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
