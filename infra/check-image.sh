#!/usr/bin/env bash
# Proves infra/Dockerfile's steps without a Docker engine. It reads the Dockerfile itself, so the
# checked steps cannot drift from the built ones:
#   1. copies the build context (the repository minus .dockerignore) into a temporary directory;
#   2. runs the build stage's COPY and RUN lines there, in order, with WORKDIR and ENV applied
#      (apt-get lines are not run: the host must already have the packages they install);
#   3. assembles the runtime stage's files from its COPY --from=build lines;
#   4. runs the ENTRYPOINT with --version, then for real against a private redis-server and the
#      local PostgreSQL, as a non-root user when started as root, and checks that the HEALTHCHECK
#      command passes, /livez and /metrics answer 200, /readyz reaches 200 and SIGTERM exits 0.
# Needs: node 20, npm, redis-server, PostgreSQL (CHECK_IMAGE_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/postgres). pnpm uses the host's store; for a from-scratch
# download and compile like a cold `docker build`, run with npm_config_store_dir=$(mktemp -d).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dockerfile=$repo/infra/Dockerfile
database_url=${CHECK_IMAGE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
started=$SECONDS

fail() {
  echo "check-image: $*" >&2
  exit 1
}
step() { echo "check-image: [$((SECONDS - started))s] $*"; }

[[ $(node --version) == v20.* ]] ||
  echo "check-image: warning: node $(node --version) here, the image runs node 20" >&2
command -v redis-server >/dev/null || fail "redis-server is not installed"

work=$(mktemp -d "${TMPDIR:-/tmp}/check-image.XXXXXX")
chmod 755 "$work" # the gateway runs as nobody below and must reach its files
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Dockerfile → one line per instruction: stage number, keyword, arguments. Continuation lines are
# joined and comment lines dropped, as Docker does.
instructions() {
  awk '
    /^[[:space:]]*#/ { next }
    /^[[:space:]]*$/ { next }
    {
      line = $0
      if (sub(/\\[[:space:]]*$/, "", line)) { pending = pending line; next }
      line = pending line; pending = ""
      sub(/^[[:space:]]+/, "", line)
      keyword = toupper(line); sub(/[[:space:]].*$/, "", keyword)
      args = line; sub(/^[^[:space:]]+[[:space:]]*/, "", args)
      if (keyword == "FROM") stage++
      printf "%d\t%s\t%s\n", stage, keyword, args
    }' "$dockerfile"
}

# A JSON array (exec form) → one element per line.
json_words() { node -e 'for (const w of JSON.parse(process.argv[1])) console.log(w)' "$1"; }

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

build_root=$work/build-root
runtime_root=$work/runtime-root
mkdir -p "$build_root" "$runtime_root"
context=$work/context
node "$repo/infra/build-context.mjs" "$repo" "$context"

# npm i -g lands here instead of in the host's global prefix.
export NPM_CONFIG_PREFIX=$work/npm-global
export PATH=$NPM_CONFIG_PREFIX/bin:$PATH

last_stage=$(instructions | tail -n 1 | cut -f 1)
build_stage=
workdir=/
runtime_env=()
runtime_user=root
entrypoint=()
healthcheck=()
while IFS=$'\t' read -r stage keyword args; do
  if [[ $keyword == FROM ]]; then
    workdir=/
    [[ $args =~ [[:space:]][Aa][Ss][[:space:]]+build$ ]] && build_stage=$stage
    continue
  fi
  if [[ $stage == "$build_stage" ]]; then
    mkdir -p "$build_root$workdir"
    cd "$build_root$workdir"
    case $keyword in
      WORKDIR) workdir=$args ;;
      ENV)
        [[ $args == *=* ]] || fail "ENV $args: only the KEY=value form is supported"
        export "${args?}"
        ;;
      COPY)
        read -r -a words <<<"$args"
        target=${words[-1]}
        for source in "${words[@]:0:${#words[@]}-1}"; do
          [[ $source == --* ]] && fail "COPY $args: flags are not supported in the build stage"
          cp -a "$context/$source" "$target"
        done
        ;;
      RUN)
        [[ $args == --* || $args == \[* ]] && fail "RUN $args: only the plain shell form is supported"
        if [[ $args == apt-get* ]]; then
          read -r -a packages <<<"$(sed -E 's/.*apt-get install ([^&]*).*/\1/; s/(^| )-[^ ]*//g' <<<"$args")"
          for package in "${packages[@]}"; do
            command -v "$package" >/dev/null || dpkg -s "$package" >/dev/null 2>&1 ||
              fail "the build stage installs $package; install it here first"
          done
          step "skipped (host has ${packages[*]}): RUN $args"
          continue
        fi
        step "RUN $args"
        sh -c "$args" </dev/null >>"$work/build.log" 2>&1 || {
          tail -n 40 "$work/build.log" >&2
          fail "RUN $args failed"
        }
        ;;
      *) fail "build stage: $keyword is not supported here" ;;
    esac
  elif [[ $stage == "$last_stage" ]]; then
    case $keyword in
      WORKDIR) workdir=$args ;;
      ENV) runtime_env+=("$args") ;;
      COPY)
        [[ $args =~ ^--from=build[[:space:]]+(/[^[:space:]]+)[[:space:]]+(/[^[:space:]]+)$ ]] ||
          fail "COPY $args: the runtime stage may only copy one absolute path from the build stage"
        mkdir -p "$(dirname "$runtime_root${BASH_REMATCH[2]}")"
        cp -a "$build_root${BASH_REMATCH[1]}" "$runtime_root${BASH_REMATCH[2]}"
        ;;
      USER) runtime_user=$args ;;
      HEALTHCHECK)
        [[ $args =~ CMD[[:space:]]+(\[.*\])$ ]] || fail "HEALTHCHECK must use CMD in exec form"
        mapfile -t healthcheck < <(json_words "${BASH_REMATCH[1]}")
        ;;
      ENTRYPOINT) mapfile -t entrypoint < <(json_words "$args") ;;
      EXPOSE) ;;
      *) fail "runtime stage: $keyword is not supported here" ;;
    esac
  fi
done < <(instructions)

[[ -n $build_stage ]] || fail "no build stage (FROM ... AS build)"
[[ ${#entrypoint[@]} -gt 0 ]] || fail "the runtime stage has no ENTRYPOINT in exec form"
[[ ${#healthcheck[@]} -gt 0 ]] || fail "the runtime stage has no HEALTHCHECK"
[[ $runtime_user != root && $runtime_user != 0 ]] || fail "the runtime stage runs as root"

# Absolute paths in the ENTRYPOINT point into the runtime stage's files.
for i in "${!entrypoint[@]}"; do
  [[ ${entrypoint[$i]} == /* ]] && entrypoint[i]=$runtime_root${entrypoint[$i]}
done
app_size=$(du -sh "$runtime_root" | cut -f 1)
step "runtime files: $app_size in $(find "$runtime_root" -type f | wc -l) files"

# The image's USER does not exist here; any unprivileged user shows that nothing needs root.
as_user=()
if [[ $(id -u) == 0 ]]; then as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups); fi
# Runs a command as the image would: in WORKDIR, with the runtime ENV, not as root. Call it in a
# subshell, `(in_image ...)`; its exec makes a background subshell's $! the command's own PID.
in_image() { cd "$runtime_root$workdir" && exec env "${runtime_env[@]}" "${as_user[@]}" "$@"; }

version=$(in_image "${entrypoint[@]}" --version) || fail "--version failed"
[[ $version == "notify_push "* ]] || fail "--version printed '$version'"
step "--version: $version"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

port=$(free_port)
metrics_port=$(free_port)
status() { node -e 'fetch(process.argv[1]).then((r) => console.log(r.status), () => console.log(0))' "$1"; }

# Starts the entrypoint on $port against database $1 and waits for /readyz; sets $gateway.
start_gateway() {
  (in_image env PORT="$port" METRICS_PORT="$metrics_port" LOG=info NEXTCLOUD_URL=http://127.0.0.1:1/ \
    DATABASE_URL="$1" REDIS_URL="redis://127.0.0.1:$redis_port" "${entrypoint[@]}" \
    >"$work/gateway.log" 2>&1) &
  gateway=$!
  pids+=("$gateway")
  for _ in $(seq 100); do
    [[ $(status "http://127.0.0.1:$port/readyz") == 200 ]] && return 0
    kill -0 "$gateway" 2>/dev/null || break
    sleep 0.2
  done
  cat "$work/gateway.log" >&2
  fail "/readyz did not answer 200"
}

stop_gateway() {
  kill -TERM "$gateway"
  local code=0
  wait "$gateway" || code=$?
  [[ $code == 0 ]] || {
    cat "$work/gateway.log" >&2
    fail "SIGTERM: the gateway exited with $code"
  }
}

# /readyz runs the storage-mapping query, so the database needs Nextcloud's two tables (empty). They
# are made with the drivers in the runtime files, in a scratch PostgreSQL database and a SQLite file.
MOUNT_TABLES='CREATE TABLE oc_mounts (id INTEGER PRIMARY KEY, storage_id BIGINT, root_id BIGINT,
  user_id VARCHAR(64), mount_point VARCHAR(4000));
CREATE TABLE oc_filecache (fileid BIGINT PRIMARY KEY, path VARCHAR(4000));'
# The drivers are dependencies of @gw/nextcloud, so they resolve from its real folder (pnpm links it).
runtime_node() {
  (cd "$runtime_root$workdir" && node -e "
    const nextcloud = require('node:fs').realpathSync('node_modules/@gw/nextcloud');
    const need = require('node:module').createRequire(nextcloud + '/package.json');
    (async () => { $1 })().catch((err) => { console.error(err); process.exit(1); });
  " "${@:2}")
}
scratch_db="check_image_$$"
scratch_url="${database_url%/*}/$scratch_db"
# shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
runtime_node '
  const pg = need("pg");
  const [server, name, tables] = process.argv.slice(1);
  const admin = new pg.Client(server);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const client = new pg.Client(server.replace(/[^/]*$/, name));
  await client.connect();
  await client.query(tables);
  await client.end();
' "$database_url" "$scratch_db" "$MOUNT_TABLES" || fail "could not create the scratch database"
drop_scratch_db() {
  # shellcheck disable=SC2016
  runtime_node '
    const pg = need("pg");
    const admin = new pg.Client(process.argv[1]);
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${process.argv[2]}`);
    await admin.end();
  ' "$database_url" "$scratch_db" || true
}
trap 'drop_scratch_db; cleanup' EXIT

start_gateway "$scratch_url"
step "/readyz: 200 with PostgreSQL (Redis subscribed, mapping query runs)"
[[ $(status "http://127.0.0.1:$port/livez") == 200 ]] || fail "/livez did not answer 200"
step "/livez: 200"
[[ $(status "http://127.0.0.1:$metrics_port/metrics") == 200 ]] || fail "/metrics did not answer 200"
step "/metrics on METRICS_PORT: 200"
(in_image env PORT="$port" "${healthcheck[@]}") || fail "the HEALTHCHECK command failed"
step "HEALTHCHECK command: exit 0"
stop_gateway
step "SIGTERM: exit 0"

# SQLite goes through better-sqlite3's compiled addon: it must load from the pruned files.
runtime_node '
  const Database = need("better-sqlite3");
  new Database(process.argv[1]).exec(process.argv[2]);
' "$work/nextcloud.db" "$MOUNT_TABLES" || fail "could not create the SQLite file"
chmod 644 "$work/nextcloud.db"
start_gateway "sqlite://$work/nextcloud.db"
stop_gateway
step "/readyz: 200 with SQLite (better-sqlite3's addon loads), SIGTERM: exit 0"
echo "check-image: OK in $((SECONDS - started))s; runtime files $app_size"
