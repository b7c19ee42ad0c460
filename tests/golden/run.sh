#!/bin/sh
# Golden tests of everything a user sees: oligoscreen's output is compared byte for byte with
# the files under tests/golden/expected/. After an intended change, regenerate them with
#   OLIGOSCREEN_REGENERATE=1 ctest --preset default -R '^golden\.'
# and review the diff before committing.
# Usage: run.sh OLIGOSCREEN SOURCE_DIR WORK_DIR TEST [ARG]
set -u
bin=$1 src=$2 work=$3 test=$4 arg=${5:-}
expected=$src/tests/golden/expected
mkdir -p "$work" && cd "$src" || exit 1
export NO_COLOR=1 LC_ALL=C.UTF-8
failed=0

# check NAME FILE: compare FILE with expected/NAME (or replace it when regenerating).
check() {
  if [ "${OLIGOSCREEN_REGENERATE:-}" = 1 ]; then
    mkdir -p "$(dirname "$expected/$1")" && cp "$2" "$expected/$1" && echo "regenerated $1"
  elif ! cmp -s "$2" "$expected/$1"; then
    echo "golden mismatch: tests/golden/expected/$1 (actual: $2)"
    diff -u "$expected/$1" "$2" | head -40
    failed=1
  fi
}
# status WANT GOT WHAT
status() {
  if [ "$1" != "$2" ]; then echo "$3: exit code $2, expected $1"; failed=1; fi
}

case $test in
  report)  # every format of one example case: text, markdown, html, --explain
    name=$(basename "$arg"); name=${name%.*}
    want=0; case $name in error-*) want=1 ;; esac
    "$bin" screen "$arg" > "$work/$name.txt"; status $want $? "screen $arg"
    check "$name.txt" "$work/$name.txt"
    "$bin" screen --format markdown "$arg" > "$work/$name.md"; status $want $? "markdown"
    check "$name.md" "$work/$name.md"
    "$bin" screen --format html "$arg" > "$work/$name.html"; status $want $? "html"
    check "$name.html" "$work/$name.html"
    "$bin" screen --explain "$arg" > "$work/$name.explain.txt"; status $want $? "explain"
    check "$name.explain.txt" "$work/$name.explain.txt"
    ;;
  bad)  # exact messages of input errors (file:line:col, field, allowed values)
    for f in tests/golden/bad/*.yaml tests/golden/bad/*.json; do
      [ -e "$f" ] || continue
      name=$(basename "$f"); name=${name%.*}
      "$bin" screen "$f" > "$work/bad-$name.txt" 2>&1; status 1 $? "screen $f"
      check "bad/$name.txt" "$work/bad-$name.txt"
    done
    ;;
  overview)  # several cases: one report each, then one line per case
    "$bin" screen examples/cases/ > "$work/overview.txt"; status 1 $? "screen examples/cases/"
    sed -n "/^OVERVIEW/,\$p" "$work/overview.txt" > "$work/overview-tail.txt"
    check "overview.txt" "$work/overview-tail.txt"
    ;;
  guided)  # --ask end to end with piped answers: two answers make it determinate (systemic
    # therapy first: it can change four verdicts, ECOG two; each gets one rejected answer)
    out=$work/completed.yaml; rm -f "$out"
    case=examples/cases/lms-missing-ecog-and-therapy.yaml
    printf '7\nfalse\n7\n1\n%s\n' "$out" | "$bin" screen --ask "$case" > "$work/guided-report.txt" 2> "$work/guided-dialogue.raw"
    status 0 $? "screen --ask"
    sed "s#$work#WORK#g" "$work/guided-dialogue.raw" > "$work/guided-dialogue.txt"
    check "guided-dialogue.txt" "$work/guided-dialogue.txt"
    check "guided-report.txt" "$work/guided-report.txt"
    check "guided-completed.yaml" "$out"
    # The written file screens to the result shown, and nothing that matters is missing.
    "$bin" screen "$out" > "$work/guided-rescreen.txt"; status 0 $? "screen $out"
    cmp -s "$work/guided-report.txt" "$work/guided-rescreen.txt" || { echo "the completed case screens differently"; failed=1; }
    "$bin" screen --format json "$out" > "$work/guided.json"
    grep -q '"missing":\[\]' "$work/guided.json" || { echo "the completed case still misses data"; failed=1; }
    # Never overwrite without confirmation: answer no, then skip.
    printf 'false\n1\n%s\nn\nno\n' "$out" | "$bin" screen --ask "$case" > /dev/null 2> "$work/guided-exists.raw"
    grep -q "exists: overwrite it" "$work/guided-exists.raw" || { echo "no confirmation asked"; failed=1; }
    grep -q "Not written" "$work/guided-exists.raw" || { echo "written without confirmation"; failed=1; }
    # Stopping at once (empty line) keeps the verdicts and writes nothing.
    printf '\n' | "$bin" screen --ask "$case" > "$work/guided-stop.txt" 2>/dev/null; status 0 $? "--ask, stop"
    "$bin" screen "$case" | cmp -s - "$work/guided-stop.txt" || { echo "stopping changed the report"; failed=1; }
    ;;
  template)  # blank template; filled in, it screens
    "$bin" template > "$work/template.yaml"; status 0 $? "template"
    check "template.yaml" "$work/template.yaml"
    sed -e 's/^id:$/id: TB-TEMPLATE-1/' -e 's/^assessed_on:$/assessed_on: 2024-06-12/' -e 's/^age:$/age: 61/' \
        -e 's/^histology:$/histology: myxofibrosarcoma/' -e 's/^ecog:$/ecog: 0/' \
        -e 's/^  diagnosed:$/  diagnosed: 2021-02-01/' -e 's/^  controlled:$/  controlled: true/' \
        -e 's/^  treatment_completed:$/  treatment_completed: 2021-06-30/' \
        -e 's/^  polymetastatic:$/  polymetastatic: false/' -e 's/^  oligometastatic:$/  oligometastatic: false/' \
        -e 's/^  active:$/  active: false/' -e 's/^imaging:$/imaging: [ct_chest_abdomen_pelvis]/' \
        -e 's/^  # - {site: lung, /  - {site: lung, /' "$work/template.yaml" > "$work/template-filled.yaml"
    # metastases.diagnosed comes after primary.diagnosed: the second "  diagnosed:" line.
    awk '/^metastases:/{m=1} m && /^  diagnosed: 2021-02-01$/{sub(/2021-02-01/,"2024-05-20"); m=0} {print}' \
        "$work/template-filled.yaml" > "$work/template-filled2.yaml"
    "$bin" screen "$work/template-filled2.yaml" > "$work/template-filled.txt"; status 0 $? "screen the filled template"
    check "template-filled.txt" "$work/template-filled.txt"
    "$bin" template --example lms-lung-metachronous | cmp -s - examples/cases/lms-lung-metachronous.yaml ||
      { echo "template --example differs from examples/cases"; failed=1; }
    "$bin" template --example no-such-case 2>/dev/null; status 2 $? "template --example no-such-case"
    ;;
  rules-doc)  # docs/clinical-rules-reference.md is what `rules doc` writes now
    "$bin" rules doc -o "$work/clinical-rules-reference.md"; status 0 $? "rules doc"
    if ! cmp -s "$work/clinical-rules-reference.md" docs/clinical-rules-reference.md; then
      echo "docs/clinical-rules-reference.md is not current: cmake --build --preset default --target rules-reference"
      failed=1
    fi
    "$bin" rules show > "$work/rules-show.txt"; status 0 $? "rules show"
    "$bin" rules show sbrt_ecog estro_eortc_tree max_lesions navarria2022 >> "$work/rules-show.txt"; status 0 $? "rules show IDs"
    check "rules-show.txt" "$work/rules-show.txt"
    "$bin" rules show no_such_id 2>/dev/null; status 2 $? "rules show no_such_id"
    ;;
  help)
    { "$bin" --help; "$bin" screen --help; "$bin" template --help; } > "$work/help.txt"; status 0 $? "help"
    check "help.txt" "$work/help.txt"
    ;;
  chromium)  # the html report renders in headless Chromium (installs nothing)
    chromium=${CHROMIUM:-/usr/bin/chromium}
    if [ ! -x "$chromium" ]; then
      echo "SKIPPED: $chromium is absent (Debian package 'chromium'); the html report was not rendered"
      exit 77
    fi
    "$bin" screen --format html examples/cases/lms-lung-metachronous.yaml > "$work/report.html" || failed=1
    profile=$(mktemp -d)
    flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --user-data-dir=$profile"
    # shellcheck disable=SC2086
    timeout 120 "$chromium" $flags --dump-dom "file://$work/report.html" > "$work/dom.html" 2> "$work/chromium.log"
    grep -q "Provenance" "$work/dom.html" || { echo "chromium did not render the report"; cat "$work/chromium.log"; failed=1; }
    # shellcheck disable=SC2086
    timeout 120 "$chromium" $flags --screenshot="$work/report.png" --window-size=1200,1600 "file://$work/report.html" \
      >> "$work/chromium.log" 2>&1
    [ -s "$work/report.png" ] || { echo "no screenshot"; cat "$work/chromium.log"; failed=1; }
    rm -rf "$profile"
    ;;
  *) echo "unknown golden test '$test'"; exit 2 ;;
esac
exit $failed
