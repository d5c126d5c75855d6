#!/usr/bin/env bash
# Formats the storage of each broker of docker-compose.yml once, with the cluster id and the SCRAM users, before
# the brokers start (the apache/kafka image formats without users and leaves a formatted directory alone). Runs in
# the kafka-storage service with the brokers' own KAFKA_* environment; the compose check (test/deploy) runs this
# same file with Kafka's jars here.
#
#   KAFKA_FORMAT_NODES       "<host>=<node id> ..." (each broker's directory is $KAFKA_FORMAT_ROOT/<host>)
#   KAFKA_FORMAT_ROOT        where the brokers' volumes are mounted
#   KAFKA_FORMAT_SCRAM_USERS "<name>=<password> ..." (SCRAM-SHA-512)
#   KAFKA_STORAGE_TOOL       the format tool (default: the image's kafka-storage.sh)
set -euo pipefail

: "${CLUSTER_ID:?}" "${KAFKA_FORMAT_NODES:?}" "${KAFKA_FORMAT_ROOT:?}" "${KAFKA_FORMAT_SCRAM_USERS:?}"
read -r -a tool <<<"${KAFKA_STORAGE_TOOL:-/opt/kafka/bin/kafka-storage.sh}"

# The image's own mapping of the environment to server.properties: KAFKA_ dropped, lower case, `___` → `-`,
# `__` → `_`, `_` → `.`; the variables it hands the JVM instead are left out.
properties() {
  local name value key
  while IFS='=' read -r name value; do
    case "$name" in
      KAFKA_FORMAT_* | KAFKA_STORAGE_TOOL | KAFKA_VERSION | KAFKA_HOME | KAFKA_HEAP_OPTS | KAFKA_*_OPTS | \
        KAFKA_LOG4J_* | KAFKA_TOOLS_LOG4J_LOGLEVEL | KAFKA_JMX_*) continue ;;
      KAFKA_*) ;;
      *) continue ;;
    esac
    key="${name#KAFKA_}"
    key="${key,,}"
    key="${key//___/-}"
    key="${key//__/@}"
    key="${key//_/.}"
    key="${key//@/_}"
    printf '%s=%s\n' "$key" "$value"
  done < <(env)
}

scram=()
for user in $KAFKA_FORMAT_SCRAM_USERS; do
  name="${user%%=*}"
  password="${user#*=}"
  if [ -z "$password" ] || [[ "$password" == *[\"\ ,\]\[]* ]]; then
    echo "the SCRAM password of $name is empty or has a quote, space, comma or bracket" >&2
    exit 1
  fi
  scram+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$password]")
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for node in $KAFKA_FORMAT_NODES; do
  host="${node%%=*}"
  id="${node#*=}"
  dir="$KAFKA_FORMAT_ROOT/$host"
  props="$work/$host.properties"
  KAFKA_NODE_ID="$id" KAFKA_ADVERTISED_LISTENERS="CLIENT://$host:9092" KAFKA_LOG_DIRS="$dir" properties >"$props"
  if [ -f "$dir/meta.properties" ]; then
    echo "$host: formatted already, left as it is"
    continue
  fi
  "${tool[@]}" format --cluster-id "$CLUSTER_ID" --config "$props" "${scram[@]}"
done
