#!/usr/bin/env bash
# Local infrastructure without Docker: a real Apache Kafka broker (KRaft, single node) from Maven Central
# jars and FerretDB v1.24.2 (SQLite backend) built with `go install`.
#
#   scripts/infra.sh up      start what is not running (idempotent), wait until each server really answers
#   scripts/infra.sh down    stop only what this script started (by pid file)
#   scripts/infra.sh status  print the state of each service; exit 0 only when both answer
#   scripts/infra.sh reset   delete the data of services that are not running
#   scripts/infra.sh tools   fetch the programs the deployment checks run (Kafka's jars, Prometheus' promtool)
#
# Downloads, builds, data and logs live outside the checkout (XERO_SYNC_CACHE, default ~/.cache/xero-sync)
# so a fresh clone on a used machine starts in seconds and a fresh machine only pays the first download.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${XERO_SYNC_CACHE:-$HOME/.cache/xero-sync}"
KAFKA_VERSION="$(sed -n 's#.*<kafka.version>\(.*\)</kafka.version>.*#\1#p' "$ROOT/infra/kafka/pom.xml")"
FERRETDB_VERSION="v1.24.2"
KAFKA_LIBS="$CACHE/kafka-$KAFKA_VERSION/libs"
# FerretDB is built with the one-line _id index fix and the patches in infra/ferretdb/ below (in this order), in a
# binary directory named after the patches' hash (a changed patch builds again); XERO_SYNC_FERRETDB_ID_INDEX=0
# builds the unchanged release instead, to compare.
FERRETDB_ID_INDEX="${XERO_SYNC_FERRETDB_ID_INDEX:-1}"
FERRETDB_PATCHES=("$ROOT/infra/ferretdb/filter-pushdown.patch" "$ROOT/infra/ferretdb/release-tracking.patch")
FERRETDB_BIN="$CACHE/ferretdb-$FERRETDB_VERSION$([ "$FERRETDB_ID_INDEX" = 1 ] && echo "-pd-$(cat "${FERRETDB_PATCHES[@]}" | sha256sum | cut -c1-10)" || true)/ferretdb"
RUN="$CACHE/run"
PROMTOOL_BIN="$CACHE/promtool/promtool"
# Fallback when Debian's package cannot be downloaded (no apt): built from the Go module proxy.
PROMETHEUS_GO_VERSION="v0.316.0"
KAFKA_PORT=9092
MONGO_PORT=27017

log() { printf '[infra] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

ensure_kafka_libs() {
  [ -f "$KAFKA_LIBS/.complete" ] && return 0
  log "downloading Apache Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS (first run only)"
  rm -rf "$KAFKA_LIBS"
  if ! mvn -q -B -f "$ROOT/infra/kafka/pom.xml" package -Dkafka.libs.dir="$KAFKA_LIBS" \
      -DbuildDirectory="$CACHE/kafka-build" >"$CACHE/kafka-download.log" 2>&1; then
    log "Maven could not fetch the Kafka jars; see $CACHE/kafka-download.log (is Maven Central reachable?)"
    tail -20 "$CACHE/kafka-download.log" >&2
    exit 1
  fi
  rm -rf "$ROOT/infra/kafka/target"
  touch "$KAFKA_LIBS/.complete"
}

# promtool checks and unit-tests the alert rules (ops/prometheus). Debian's `prometheus` package brings it;
# `apt-get download` needs no root. Only the promtool binary is kept.
ensure_promtool() {
  [ -x "$PROMTOOL_BIN" ] && return 0
  local dir tmp dl="$CACHE/promtool-download.log"
  dir="$(dirname "$PROMTOOL_BIN")"
  tmp="$(mktemp -d)"
  mkdir -p "$dir"
  log "fetching promtool (Debian package prometheus) into $dir (first run only)"
  if ! (cd "$tmp" && apt-get download prometheus) >"$dl" 2>&1 && [ "$(id -u)" = 0 ]; then
    # A fresh machine may have no package lists yet: as root, read them once and try again.
    { apt-get update -qq && (cd "$tmp" && apt-get download prometheus); } >>"$dl" 2>&1 || true
  fi
  if compgen -G "$tmp/prometheus_*.deb" >/dev/null && dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x" >>"$dl" 2>&1 &&
      [ -x "$tmp/x/usr/bin/promtool" ]; then
    cp "$tmp/x/usr/bin/promtool" "$PROMTOOL_BIN.tmp"
  else
    log "no Debian package (see $dl); building promtool $PROMETHEUS_GO_VERSION with go install"
    if ! GOBIN="$tmp/bin" go install "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_GO_VERSION" >>"$dl" 2>&1; then
      rm -rf "$tmp"
      log "could not get promtool; see $dl"; exit 1
    fi
    cp "$tmp/bin/promtool" "$PROMTOOL_BIN.tmp"
  fi
  rm -rf "$tmp"
  mv "$PROMTOOL_BIN.tmp" "$PROMTOOL_BIN"
}

ensure_ferretdb() {
  [ -x "$FERRETDB_BIN" ] && return 0
  log "building FerretDB $FERRETDB_VERSION from the Go module proxy into $(dirname "$FERRETDB_BIN") (first run only, a few minutes)"
  local src="$CACHE/ferretdb-src" dir
  mkdir -p "$(dirname "$FERRETDB_BIN")"
  # `go install module@version` cannot be used as is: FerretDB panics at start unless build/version/version.txt
  # holds the version, which only its release tooling writes. So build a copy of the module with that file.
  if ! dir=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" 2>>"$CACHE/ferretdb-build.log" |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(!j.Dir)process.exit(1);console.log(j.Dir)})'); then
    log "could not download FerretDB from the Go module proxy; see $CACHE/ferretdb-build.log"; exit 1
  fi
  rm -rf "$src" && cp -r "$dir" "$src" && chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  # FerretDB v1's SQLite backend creates the _id index on `_ferretdb_sjson->"_id"` but looks documents up (find,
  # update, delete by _id) with `_ferretdb_sjson->'$._id'`: the same value, a different expression, so SQLite never
  # uses the index and every _id lookup parses the whole collection. Query with the index's own expression.
  local meta="$src/internal/backends/sqlite/metadata/metadata.go"
  if [ "$FERRETDB_ID_INDEX" = 1 ]; then
    sed -i "s|IDColumn = DefaultColumn + \"->'\\\$._id'\"|IDColumn = DefaultColumn + \"->'_id'\"|" "$meta"
    if ! grep -q "IDColumn = DefaultColumn + \"->'_id'\"" "$meta"; then
      log "could not apply the _id index fix to FerretDB $FERRETDB_VERSION ($meta changed?)"; exit 1
    fi
    # Only a filter that is exactly `{_id: <string>}` reached that index; anything else (`{_id: {$in: [...]}}`,
    # `{storeId, status}`) decoded every document of the collection in Go. filter-pushdown.patch hands SQLite the
    # filter's `_id` and string equalities; release-tracking.patch leaves iterator leak tracking to debug builds
    # (see each patch's header).
    local p
    for p in "${FERRETDB_PATCHES[@]}"; do
      if ! (cd "$src" && patch -p1 --quiet <"$p"); then
        log "could not apply $p to FerretDB $FERRETDB_VERSION"; exit 1
      fi
    done
  fi
  if ! (cd "$src" && GOFLAGS=-mod=mod go build -buildvcs=false -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) \
      >>"$CACHE/ferretdb-build.log" 2>&1; then
    log "building FerretDB failed; see $CACHE/ferretdb-build.log"
    tail -20 "$CACHE/ferretdb-build.log" >&2
    exit 1
  fi
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$src"
}

wait_ready() { # name probe-target timeout-seconds
  local name=$1 target=$2 timeout=$3 i
  for ((i = 0; i < timeout; i++)); do
    if node "$ROOT/scripts/infra-probe.mjs" "$target" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$name did not answer within ${timeout}s; last log lines:"
  tail -30 "$RUN/$name.log" >&2 || true
  return 1
}

start_kafka() {
  if pid_alive "$RUN/kafka.pid"; then log "kafka already running (pid $(cat "$RUN/kafka.pid")), reusing"; return 0; fi
  if port_open $KAFKA_PORT; then
    if node "$ROOT/scripts/infra-probe.mjs" kafka >/dev/null 2>&1; then
      log "a Kafka broker not started by this script answers on 127.0.0.1:$KAFKA_PORT; reusing it (infra:down will leave it alone)"
      return 0
    fi
    log "port $KAFKA_PORT is in use by something that is not a Kafka broker; free it and retry"; exit 1
  fi
  ensure_kafka_libs
  local data="$RUN/kafka-data" props="$RUN/kafka-server.properties"
  mkdir -p "$data"
  sed "s#@DATA@#$data#" "$ROOT/infra/kafka/server.properties" >"$props"
  local logopt="-Dlog4j2.configurationFile=$ROOT/infra/kafka/log4j2.properties"
  if [ ! -f "$data/meta.properties" ]; then
    local cid
    cid=$(java $logopt -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool random-uuid | tail -1)
    java $logopt -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format -t "$cid" -c "$props" --ignore-formatted >"$RUN/kafka-format.log" 2>&1
  fi
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (log: $RUN/kafka.log)"
  setsid nohup java -Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true $logopt \
    -Dkafka.logs.dir="$RUN/kafka-logs" -cp "$KAFKA_LIBS/*" kafka.Kafka "$props" >"$RUN/kafka.log" 2>&1 &
  echo $! >"$RUN/kafka.pid"
  wait_ready kafka kafka 90
}

start_ferretdb() {
  if pid_alive "$RUN/ferretdb.pid"; then log "ferretdb already running (pid $(cat "$RUN/ferretdb.pid")), reusing"; return 0; fi
  if port_open $MONGO_PORT; then
    if node "$ROOT/scripts/infra-probe.mjs" mongo >/dev/null 2>&1; then
      log "a MongoDB-wire server not started by this script answers on 127.0.0.1:$MONGO_PORT; reusing it"
      return 0
    fi
    log "port $MONGO_PORT is in use by something that does not speak MongoDB; free it and retry"; exit 1
  fi
  ensure_ferretdb
  mkdir -p "$RUN/ferretdb-data"
  # Without it FerretDB's handler drops dotted-path conditions (`{'tenants.tenantId': ...}`) before the backend sees
  # them; the patched backend can narrow those too. The unchanged release is started as it comes.
  local NESTED_PUSHDOWN=""
  [ "$FERRETDB_ID_INDEX" = 1 ] && NESTED_PUSHDOWN="--test-enable-nested-pushdown"
  # SQLite in WAL mode with synchronous=NORMAL: a commit is written to the WAL (the OS has it, so a killed or
  # restarted FerretDB loses nothing) and synced at checkpoints, not at every commit. That is what a standalone
  # MongoDB acknowledges by default (w:1, journal synced every 100 ms); the default FULL synced every write command,
  # 5-6 % of FerretDB's CPU in the 200-org simulation and a sync held under SQLite's write lock each time.
  log "starting FerretDB $FERRETDB_VERSION on 127.0.0.1:$MONGO_PORT (log: $RUN/ferretdb.log)"
  setsid nohup "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$RUN/ferretdb-data/?_pragma=synchronous(normal)" \
    --listen-addr=127.0.0.1:$MONGO_PORT \
    --state-dir="$RUN" --debug-addr=- --telemetry=disable --log-level=warn $NESTED_PUSHDOWN >"$RUN/ferretdb.log" 2>&1 &
  echo $! >"$RUN/ferretdb.pid"
  wait_ready ferretdb mongo 30
}

stop_one() { # name [signal: TERM by default; KILL for a crash]
  local pidf="$RUN/$1.pid"
  if ! pid_alive "$pidf"; then rm -f "$pidf"; log "$1 not started by this script; nothing to stop"; return 0; fi
  local pid; pid=$(cat "$pidf")
  kill -"${2:-TERM}" "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$pid" 2>/dev/null && { log "$1 did not stop in 30s, killing"; kill -9 "$pid" 2>/dev/null || true; }
  rm -f "$pidf"
  log "$1 stopped"
}

status() {
  local ok=0
  for svc in kafka ferretdb; do
    local target=$svc; [ $svc = ferretdb ] && target=mongo
    local owner="not started by this script"; pid_alive "$RUN/$svc.pid" && owner="pid $(cat "$RUN/$svc.pid")"
    if node "$ROOT/scripts/infra-probe.mjs" "$target" >/dev/null 2>&1; then echo "$svc: up ($owner)"; else echo "$svc: down"; ok=1; fi
  done
  return $ok
}

# Deletes the data of each service that is not running (test runs leave topics and databases behind; npm test
# starts from empty servers when it starts them itself, so a used machine behaves like a fresh one).
reset() {
  if ! pid_alive "$RUN/kafka.pid" && ! port_open $KAFKA_PORT; then rm -rf "$RUN/kafka-data" "$RUN/kafka-logs"; log "kafka data reset"; fi
  if ! pid_alive "$RUN/ferretdb.pid" && ! port_open $MONGO_PORT; then rm -rf "$RUN/ferretdb-data"; log "ferretdb data reset"; fi
}

mkdir -p "$RUN"
case "${1:-}" in
  reset) reset ;;
  up) start_ferretdb; start_kafka; log "infrastructure is up" ;;
  down) stop_one kafka; stop_one ferretdb ;;
  status) status ;;
  tools) ensure_kafka_libs; ensure_promtool ;;
  # Used by fault-injection tests: stop or start one service that this script manages.
  stop-kafka) stop_one kafka ;;
  stop-ferretdb) stop_one ferretdb ;;
  kill-ferretdb) stop_one ferretdb KILL ;;
  start-kafka) start_kafka ;;
  start-ferretdb) start_ferretdb ;;
  *) echo "usage: $0 up|down|status|reset|tools" >&2; exit 2 ;;
esac
