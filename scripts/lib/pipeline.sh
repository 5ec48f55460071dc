# The whole printmon pipeline on one machine, for scripts/demo and tests/e2e/pipeline_test:
# snmpsim printers -> printmon-scanner -> branch PostgreSQL -> printmon-uploader -> HTTPS ->
# printmon-cloud-api -> cloud PostgreSQL. Source it, set PIPE_DIR (a fresh folder) and
# PIPE_BUILD (a build dir with the three executables), then call pipeline_start.
# Every process started is recorded in $PIPE_DIR/*.pid and stopped by pipeline_stop.
# Opt-in: PIPE_PRINT_S=N makes the simulated printers print a few pages every N seconds
# (scripts/lib/print_pages.py on snmpsim's copies of the recordings); unset, they stay idle.
# PIPE_RECORDINGS: the folder of .snmprec recordings to serve (default tests/data/printers; one
# address each, in sorted order). PIPE_CLOUD_TOML: extra TOML appended to the cloud-api config
# (e.g. a [notify] section). tests/e2e/alerts_pipeline_test uses both. PIPE_SCANNER_TOML and
# PIPE_UPLOADER_TOML: the same for the scanner and the uploader (tests/e2e/metrics_test).

PIPE_ROOT=${PIPE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PIPE_SIM_FIRST=${PIPE_SIM_FIRST:-127.0.11.1}
PIPE_POLL_S=${PIPE_POLL_S:-5}
PIPE_PRINT_S=${PIPE_PRINT_S:-}
PIPE_RECORDINGS=${PIPE_RECORDINGS:-}
PIPE_CLOUD_TOML=${PIPE_CLOUD_TOML:-}
PIPE_SCANNER_TOML=${PIPE_SCANNER_TOML:-}
PIPE_UPLOADER_TOML=${PIPE_UPLOADER_TOML:-}

pipe_env() { sed -n "s/^$2=//p" "$PIPE_DIR/$1/env"; }
# Writes stdin to a file only its owner can read: the configs and conninfo files hold database
# passwords (issue 14 item 11: they were world-readable).
pipe_private() { (umask 077 && cat >"$1"); }
pipe_branch_sql() { psql "$(cat "$PIPE_DIR/branch.conninfo")" -Atq -v ON_ERROR_STOP=1 -c "$1"; }
pipe_cloud_sql() { psql "$(cat "$PIPE_DIR/cloud.conninfo")" -Atq -v ON_ERROR_STOP=1 -c "$1"; }

pipe_wait() {  # seconds, description, command...
  local secs=$1 what=$2
  shift 2
  for _ in $(seq 1 $((secs * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "pipeline: timed out waiting for $what" >&2
  return 1
}

pipe_spawn() {  # name, command... (stdout+stderr to $PIPE_DIR/name.log)
  local name=$1
  shift
  "$@" >"$PIPE_DIR/$name.log" 2>&1 &
  echo $! >"$PIPE_DIR/$name.pid"
}

pipe_kill() {  # name [signal]: stops exactly the recorded process
  local f=$PIPE_DIR/$1.pid
  [ -f "$f" ] || return 0
  local pid
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "-${2:-TERM}" "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  rm -f "$f"
}

pipe_start_cloud() {  # [wrapper...]: e.g. env LD_PRELOAD=... (one that execs: the PID stays the one recorded)
  pipe_spawn cloud-api "$@" "$PIPE_BUILD/cloud-api/printmon-cloud-api" --config "$PIPE_DIR/cloud-api.toml" serve
  pipe_wait 30 "cloud-api" curl -sf --cacert "$PIPE_DIR/pki/ca.pem" "https://127.0.0.1:$PIPE_CLOUD_PORT/healthz" -o /dev/null
}
pipe_start_scanner() {
  pipe_spawn scanner "$PIPE_BUILD/scanner/printmon-scanner" run --config "$PIPE_DIR/scanner.toml"
}
pipe_start_uploader() {
  pipe_spawn uploader "$PIPE_BUILD/uploader/printmon-uploader" run --config "$PIPE_DIR/uploader.toml"
}

# Restarts the simulated printers from the recordings in DIR on the same port and first address
# (the scanner keeps polling the same devices): a printer whose recording is missing from DIR
# stops answering; the later ones must keep their place, so only the last ones may be left out.
pipe_restart_sim() {  # DIR
  "$PIPE_ROOT/tests/support/snmpsim" stop "$PIPE_DIR/snmpsim" >/dev/null 2>&1 || true
  SNMPSIM_UDP_PORT=$PIPE_SNMP_PORT "$PIPE_ROOT/tests/support/snmpsim" start-multi "$PIPE_DIR/snmpsim" "$1" "$PIPE_SIM_FIRST" >/dev/null
}
# The copy of the N-th (from 0, sorted) recording that snmpsim serves: edit it to change answers.
# snmpsim re-reads a text file (and re-indexes it) when its mtime changes in whole seconds.
pipe_sim_file() { echo "$(pipe_env snmpsim SNMPSIM_DATA)/public/1.3.6.1.6.1.1.$1.snmprec"; }

pipeline_start() {
  # Only we need to enter it: the peers that run as other users (PostgreSQL, snmpsim) keep
  # their state in private folders of their own (tests/support/private_dir).
  mkdir -p "$PIPE_DIR"
  chmod 700 "$PIPE_DIR"
  # Two private PostgreSQL clusters: the branch's and the cloud's.
  "$PIPE_ROOT/tests/support/pg_cluster" start "$PIPE_DIR/pg-branch" >/dev/null
  "$PIPE_ROOT/tests/support/pg_cluster" start "$PIPE_DIR/pg-cloud" >/dev/null
  pipe_env pg-branch PG_CONNINFO | pipe_private "$PIPE_DIR/branch.conninfo"
  pipe_env pg-cloud PG_CONNINFO | pipe_private "$PIPE_DIR/cloud.conninfo"
  # Simulated printers, one per loopback address, community "public".
  local recordings=${PIPE_RECORDINGS:-$PIPE_ROOT/tests/data/printers}
  if [ -n "$PIPE_PRINT_S" ]; then
    # Fixed-width counters, so print_pages.py can rewrite them in place (same byte offsets).
    /usr/bin/python3 "$PIPE_ROOT/scripts/lib/print_pages.py" pad "$recordings" "$PIPE_DIR/printers"
    recordings=$PIPE_DIR/printers
  fi
  "$PIPE_ROOT/tests/support/snmpsim" start-multi "$PIPE_DIR/snmpsim" "$recordings" "$PIPE_SIM_FIRST" >/dev/null
  PIPE_SNMP_PORT=$(pipe_env snmpsim SNMPSIM_PORT)
  # Test CA and the cloud's certificate for 127.0.0.1.
  "$PIPE_ROOT/tests/support/test_ca" "$PIPE_DIR/pki" >/dev/null
  PIPE_CLOUD_PORT=$("$PIPE_ROOT/tests/support/free_port")
  PIPE_UI_PORT=$("$PIPE_ROOT/tests/support/free_port")

  pipe_private "$PIPE_DIR/cloud-api.toml" <<TOML
[log]
level = "info"
[server]
address = "127.0.0.1"
port = $PIPE_CLOUD_PORT
cert_file = "$PIPE_DIR/pki/server.pem"
key_file = "$PIPE_DIR/pki/server.key"
[database]
conninfo = "$(cat "$PIPE_DIR/cloud.conninfo")"
$PIPE_CLOUD_TOML
TOML
  pipe_private "$PIPE_DIR/scanner.toml" <<TOML
[database]
conninfo = "$(cat "$PIPE_DIR/branch.conninfo")"
[log]
level = "info"
[scheduler]
tick_ms = 250
device_refresh_s = 1
[web]
address = "127.0.0.1"
port = $PIPE_UI_PORT
[secrets]
key_file = "$PIPE_DIR/scanner-secret.key"
$PIPE_SCANNER_TOML
TOML
  pipe_private "$PIPE_DIR/uploader.toml" <<TOML
log_level = "info"
[database]
conninfo = "$(cat "$PIPE_DIR/branch.conninfo")"
[cloud]
ca_file = "$PIPE_DIR/pki/ca.pem"
[upload]
period_s = 5
notify_delay_ms = 200
backoff_initial_ms = 200
backoff_max_ms = 2000
$PIPE_UPLOADER_TOML
TOML

  local cloud=$PIPE_BUILD/cloud-api/printmon-cloud-api
  "$cloud" --config "$PIPE_DIR/cloud-api.toml" migrate >/dev/null 2>&1
  PIPE_TENANT=$("$cloud" --config "$PIPE_DIR/cloud-api.toml" tenant create "Demo Dealer" 2>/dev/null)
  # A console login for the tenant (fresh random password per run, never a fixed one).
  PIPE_USER_EMAIL=${PIPE_USER_EMAIL:-demo@printmon.example}
  PIPE_USER_PASSWORD=${PIPE_USER_PASSWORD:-$(openssl rand -hex 8)}
  PRINTMON_USER_PASSWORD=$PIPE_USER_PASSWORD "$cloud" --config "$PIPE_DIR/cloud-api.toml" \
    user create --tenant "$PIPE_TENANT" --email "$PIPE_USER_EMAIL" --role admin >/dev/null 2>&1
  pipe_start_cloud

  # The scanner creates its schema (and its scanner_id) on start.
  pipe_start_scanner
  pipe_wait 30 "the branch schema" pipe_branch_sql "SELECT 1 FROM settings WHERE key = 'scanner_id'"
  PIPE_SCANNER_ID=$(pipe_branch_sql "SELECT value #>> '{}' FROM settings WHERE key = 'scanner_id'")
  local key
  key=$("$cloud" --config "$PIPE_DIR/cloud-api.toml" scanner create --tenant "$PIPE_TENANT" \
    --scanner-id "$PIPE_SCANNER_ID" --name "Demo branch" 2>/dev/null)
  # What the scanner UI stores when the admin enrols the branch and sets up discovery.
  pipe_branch_sql "
    UPDATE settings SET value = to_jsonb('https://127.0.0.1:$PIPE_CLOUD_PORT'::text) WHERE key = 'cloud_url';
    UPDATE settings SET value = to_jsonb('$key'::text) WHERE key = 'scanner_key';
    UPDATE settings SET value = '$PIPE_POLL_S' WHERE key = 'polling_interval_s';
    UPDATE settings SET value = '$PIPE_SNMP_PORT' WHERE key = 'discovery_port';
    UPDATE settings SET value = '600' WHERE key = 'discovery_interval_s';
    INSERT INTO discovery_ranges (target, note) VALUES ('${PIPE_SIM_FIRST%.*}.0/28', 'simulated printers');"
  # Restart so the new ranges are discovered right away (settings are also re-read live).
  pipe_kill scanner
  pipe_start_scanner
  pipe_start_uploader
  if [ -n "$PIPE_PRINT_S" ]; then
    # snmpsim serves its own copies (SNMPSIM_DATA, in its private folder): those are the ones
    # to move. The loop also ends by itself when that folder or this shell ($$) is gone.
    pipe_spawn printing /usr/bin/python3 "$PIPE_ROOT/scripts/lib/print_pages.py" run \
      "$(pipe_env snmpsim SNMPSIM_DATA)" --every "$PIPE_PRINT_S" --watch-pid $$
  fi
}

pipeline_stop() {
  [ -n "${PIPE_DIR:-}" ] && [ -d "$PIPE_DIR" ] || return 0
  pipe_kill printing
  pipe_kill uploader
  pipe_kill scanner
  pipe_kill cloud-api
  "$PIPE_ROOT/tests/support/snmpsim" stop "$PIPE_DIR/snmpsim" >/dev/null 2>&1 || true
  "$PIPE_ROOT/tests/support/pg_cluster" stop "$PIPE_DIR/pg-branch" >/dev/null 2>&1 || true
  "$PIPE_ROOT/tests/support/pg_cluster" stop "$PIPE_DIR/pg-cloud" >/dev/null 2>&1 || true
}
