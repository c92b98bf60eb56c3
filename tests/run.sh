#!/bin/bash
# tests/run.sh [BUILD]: run every test and print one summary line.
#
#   unit         each tests/unit/test_<x>.c as $BUILD/test/test_<x> (cmocka)
#   fuzz replay  $BUILD/fuzz/fuzz_<x> -runs=0 tests/fuzz/corpus/<x> (one test each)
#   pytest       Debian's pytest on tests/{kbs,net,initdata,image,integration} (dev KBS,
#                the HTTP/TLS and DHCP probes, initdata cross-checks, QEMU boots)
#
# Keeps going after failures; ends with exactly one line
# "N passed, N failed, N skipped" and exits non-zero if anything failed.
# `make test` builds everything first; run alone, a missing binary is a failure.
set -u

build=${1:-build}
mkdir -p "$build"
build=$(cd "$build" && pwd)
cd "$(dirname "$0")/.." || exit 2

passed=0
failed=0
skipped=0
failures=()

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccg-run.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

section() {
	printf '\n==== %s ====\n' "$1"
}

fail() {
	failed=$((failed + ${2:-1}))
	failures+=("$1")
}

# The count N from a cmocka summary line "[  <WORD>  ] N test(s)..." in a log.
cmocka_count() {
	sed -n "s/^\[  *$1  *\] \([0-9][0-9]*\) test(s).*/\1/p" "$2" | tail -n 1
}

run_unit() {
	local src name bin log rc p f s
	section "unit tests"
	for src in tests/unit/test_*.c; do
		[ -e "$src" ] || continue
		name=$(basename "$src" .c)
		bin=$build/test/$name
		log=$tmp/$name.log
		if [ ! -x "$bin" ]; then
			echo "FAIL $name: $bin not built"
			fail "$name (not built)"
			continue
		fi
		CMOCKA_MESSAGE_OUTPUT=stdout "$bin" </dev/null >"$log" 2>&1
		rc=$?
		p=$(cmocka_count PASSED "$log")
		f=$(cmocka_count FAILED "$log")
		s=$(cmocka_count SKIPPED "$log")
		p=${p:-0} f=${f:-0} s=${s:-0}
		if ! grep -q '^\[==========\] [0-9]* test(s) run\.' "$log"; then
			# crashed or aborted before its summary (sanitizer report)
			f=$((f + 1))
		elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			# summary clean but the exit says otherwise (leak report)
			f=1
		fi
		passed=$((passed + p))
		skipped=$((skipped + s))
		if [ "$f" -ne 0 ]; then
			fail "$name" "$f"
			echo "FAIL $name: $p passed, $f failed, $s skipped (exit $rc)"
			sed 's/^/    /' "$log" | tail -n 60
		else
			echo "ok   $name: $p passed, $s skipped"
		fi
	done
}

run_fuzz_replay() {
	local src t name bin corpus log rc
	section "fuzz corpus replay"
	for src in tests/fuzz/fuzz_*.c; do
		[ -e "$src" ] || continue
		t=$(basename "$src" .c)
		name=${t#fuzz_}
		bin=$build/fuzz/$t
		corpus=tests/fuzz/corpus/$name
		log=$tmp/$t.log
		if [ ! -d "$corpus" ]; then
			echo "warning: $t: no corpus directory $corpus, skipped"
			continue
		fi
		if [ ! -x "$bin" ]; then
			echo "FAIL $t: $bin not built"
			fail "$t (not built)"
			continue
		fi
		mkdir -p "$tmp/artifacts-$name"
		"$bin" -runs=0 -artifact_prefix="$tmp/artifacts-$name/" "$corpus" \
			</dev/null >"$log" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			passed=$((passed + 1))
			echo "ok   $t: $(find "$corpus" -type f | wc -l) inputs"
		else
			fail "$t"
			echo "FAIL $t: exit $rc"
			sed 's/^/    /' "$log" | tail -n 40
		fi
	done
}

# The count before WORD in pytest's summary line ("3 passed, 1 skipped in 2s").
pytest_count() {
	grep -o "[0-9][0-9]* $1" <<<"$2" | head -n 1 | cut -d' ' -f1
}

run_integration() {
	local log rc line p f e s xf xp
	section "integration tests"
	local dirs=() d
	for d in tests/kbs tests/net tests/initdata tests/image tests/integration; do
		! compgen -G "$d/test_*.py" >/dev/null || dirs+=("$d")
	done
	if [ ${#dirs[@]} -eq 0 ]; then
		echo "no integration tests"
		return
	fi
	log=$tmp/pytest.log
	BUILD=$build /usr/bin/python3 -m pytest -q -p no:cacheprovider "${dirs[@]}" \
		</dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 5 ]; then
		echo "(pytest collected no tests)"
		return
	fi
	line=$(grep -E '[0-9]+ (passed|failed|skipped|error|errors|xfailed|xpassed|deselected)' \
		"$log" | tail -n 1)
	p=$(pytest_count passed "$line")
	f=$(pytest_count failed "$line")
	e=$(pytest_count error "$line")
	s=$(pytest_count skipped "$line")
	xf=$(pytest_count xfailed "$line")
	xp=$(pytest_count xpassed "$line")
	p=$(( ${p:-0} + ${xp:-0} ))
	f=$(( ${f:-0} + ${e:-0} ))
	s=$(( ${s:-0} + ${xf:-0} ))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # pytest itself failed (usage, internal or collection error)
	fi
	passed=$((passed + p))
	skipped=$((skipped + s))
	[ "$f" -eq 0 ] || fail "pytest (exit $rc)" "$f"
}

run_unit
run_fuzz_replay
run_integration

section "summary"
for f in ${failures[@]+"${failures[@]}"}; do
	echo "failed: $f"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
