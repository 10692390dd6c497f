#!/bin/sh
# Writes target/assay-agent.classlist, the classes the agent daemon loads, for the class-data
# sharing (AppCDS) archive the agent package's postinst builds (see jvm.options and postinst).
# A training run: the built collector on loopback, one enrollment, then `assay-agent run` for 30 s
# at 1 s samples and 5 s windows (it samples, judges, signs, spools and ships) with
# -XX:DumpLoadedClassList. Skipped when the list is newer than both jars and this script.
#
#   cds-classlist.sh JAVA_HOME AGENT_JAR SERVER_JAR TARGET_DIR
set -eu
java=${1:?JAVA_HOME}/bin/java; agent=${2:?AGENT_JAR}; server=${3:?SERVER_JAR}; target=${4:?TARGET_DIR}
out=$target/assay-agent.classlist
if [ -f "$out" ] && [ "$out" -nt "$0" ] && [ "$out" -nt "$agent" ] && [ "$out" -nt "$server" ]; then
  echo "cds-classlist.sh: $out is up to date"; exit 0
fi
work=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
token=$("$java" -jar "$server" token create --role enroll --db "$work/assay.db")
# A free port without python or ss: try a few, the enrollment tells whether the collector is up.
enrolled=""
for try in 1 2 3 4 5; do
  port=$((20000 + ($$ * 7 + try * 1009) % 40000))
  "$java" -Xmx128m -jar "$server" serve --listen "127.0.0.1:$port" --db "$work/assay.db" >"$work/server.log" 2>&1 &
  collector=$!
  pids="$collector"
  for _ in $(seq 1 60); do
    kill -0 "$collector" 2>/dev/null || break
    if "$java" -jar "$agent" enroll --server "http://127.0.0.1:$port" --token "$token" --state-dir "$work/agent" \
        >"$work/enroll.log" 2>&1; then enrolled=yes; break; fi
    sleep 0.5
  done
  [ -n "$enrolled" ] && break
  kill "$collector" 2>/dev/null || true; wait "$collector" 2>/dev/null || true
done
if [ -z "$enrolled" ]; then
  echo "cds-classlist.sh: cannot start a collector for the training run:" >&2
  cat "$work/server.log" "$work/enroll.log" >&2
  exit 1
fi
"$java" -Xshare:off -XX:DumpLoadedClassList="$work/classlist" -jar "$agent" run --server "http://127.0.0.1:$port" \
  --state-dir "$work/agent" --sample-interval 1s --report-window 5s >"$work/agent.log" 2>&1 &
daemon=$!
pids="$collector $daemon"
sleep 30
kill "$daemon"; wait "$daemon" 2>/dev/null || true
kill "$collector"; wait "$collector" 2>/dev/null || true
pids=""
if ! grep -Eq '^io/assay/agent/daemon/AgentDaemon( |$)' "$work/classlist"; then
  echo "cds-classlist.sh: the training run did not start the daemon:" >&2
  cat "$work/agent.log" >&2
  exit 1
fi
mv "$work/classlist" "$out"
echo "cds-classlist.sh: wrote $out ($(wc -l <"$out") lines)"
