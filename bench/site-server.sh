#!/usr/bin/env bash
# Requests per second of Miaobu's site server against nginx, both serving the same generated static site to wrk over
# keep-alive connections on this machine, alternately. Prints each run, the means, the ratio and the error counts.
# The site server runs as Miaobu's does (see SiteServerBenchmark): Sequence(SiteServer, OffloadingHandler(app)) on a
# ServerConnector with one selector per core and Jetty's default thread pool. Uses only 127.0.0.1.
#
#   bench/site-server.sh                  (after `mvn -B install -DskipTests` at the repository root)
#
# Settings (environment): DURATION=15s WARMUP=20s THREADS=2 CONNECTIONS=64 ROUNDS=3 FILES=300
#   BENCH_POM  the pom whose classes and dependencies run SiteServerBenchmark (default: bench/pom.xml)
#   JAVA_OPTS  extra JVM options for the site server (default: none, as the real server)
set -euo pipefail

DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-20s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
ROUNDS="${ROUNDS:-3}"
FILES="${FILES:-300}"
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="${BENCH_POM:-$BENCH_DIR/pom.xml}"
HOST_HEADER="bench.localhost"

log() { printf '%s\n' "$*" >&2; }

install_tools() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if ((${#missing[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
      log "missing ${missing[*]}: run as root, or install them first"
      exit 1
    fi
    log "installing ${missing[*]}"
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
  NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
}

WORK=""
JAVA_PID=""
NGINX_PID=""
cleanup() {
  local status=$?
  if [ -n "$JAVA_PID" ] && kill -0 "$JAVA_PID" 2>/dev/null; then
    kill "$JAVA_PID" 2>/dev/null || true
    wait "$JAVA_PID" 2>/dev/null || true
  fi
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  if [ -n "$WORK" ]; then
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A built front-end site: html/css/js/svg/json of 1-50 KB in nested directories, some with content-hashed names.
filler() { head -c "$1" /dev/urandom | base64 -w 100 | head -c "$1" || true; } # base64 may see SIGPIPE
generate_site() {
  local root=$1 count=$2 i ext dir name size hash
  local exts=(html css js svg json)
  RANDOM=42
  mkdir -p "$root"
  { printf '<!doctype html><html><head><title>bench</title></head><body><p>'; filler 6000; printf '</p></body></html>\n'; } \
    >"$root/index.html"
  echo "/index.html" >"$WORK/paths.txt"
  for ((i = 1; i < count; i++)); do
    ext=${exts[i % 5]}
    case $((i % 4)) in
      0) dir="" ;;
      1) dir="assets" ;;
      2) dir="docs/section$((i % 7))" ;;
      3) dir="blog/$((2020 + i % 5))/post$((i % 11))" ;;
    esac
    size=$((1024 + (RANDOM * 32768 + RANDOM) % (49 * 1024)))
    printf -v hash '%04x%04x' "$RANDOM" "$RANDOM"
    case $ext in
      js | css) name="chunk$i-$hash.$ext" ;;
      *) name="file$i.$ext" ;;
    esac
    mkdir -p "$root/$dir"
    local file="$root/${dir:+$dir/}$name"
    case $ext in
      html) { printf '<!doctype html><html><head><title>page %d</title></head><body><p>' "$i"; filler "$size"; printf '</p></body></html>\n'; } >"$file" ;;
      css) { printf '.c%d { color: #%06x }\n/* ' "$i" "$((i * 2654435761 % 16777216))"; filler "$size"; printf ' */\n'; } >"$file" ;;
      js) { printf 'export const m%d = "' "$i"; filler "$size"; printf '";\n'; } >"$file" ;;
      svg) { printf '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><desc>'; filler "$size"; printf '</desc></svg>\n'; } >"$file" ;;
      json) { printf '{"id":%d,"data":"' "$i"; filler "$size"; printf '"}\n'; } >"$file" ;;
    esac
    echo "/${dir:+$dir/}$name" >>"$WORK/paths.txt"
  done
}

free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  log "no free port found"
  exit 1
}

start_nginx() {
  local port
  port=$(free_port)
  mkdir -p "$WORK/nginx/tmp"
  cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    server_name $HOST_HEADER;
    root $SITE;
    index index.html;
  }
}
EOF
  "$NGINX" -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" &
  NGINX_PID=$!
  NGINX_URL="http://127.0.0.1:$port"
  wait_for "$NGINX_URL" "$NGINX_PID" nginx
}

start_site_server() {
  log "building the benchmark classpath with $POM"
  if ! mvn -q -B -f "$POM" compile dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt" \
    >"$WORK/mvn.log" 2>&1; then
    cat "$WORK/mvn.log" >&2
    exit 1
  fi
  local classes
  classes="$(dirname "$POM")/target/classes"
  : >"$WORK/site-server.log"
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -cp "$classes:$(cat "$WORK/classpath.txt")" io.miaobu.bench.SiteServerBenchmark "$SITE" 0 \
    >"$WORK/site-server.log" 2>&1 &
  JAVA_PID=$!
  local deadline=$((SECONDS + 60)) port=""
  while [ -z "$port" ]; do
    port=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$WORK/site-server.log")
    if [ -z "$port" ]; then
      if ! kill -0 "$JAVA_PID" 2>/dev/null || ((SECONDS > deadline)); then
        log "the site server did not start:"
        cat "$WORK/site-server.log" >&2
        exit 1
      fi
      sleep 0.2
    fi
  done
  SITE_URL="http://127.0.0.1:$port"
  wait_for "$SITE_URL" "$JAVA_PID" "site server"
}

wait_for() {
  local url=$1 pid=$2 name=$3 deadline=$((SECONDS + 60))
  until curl -fs -o /dev/null -H "Host: $HOST_HEADER" "$url/index.html"; do
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
      log "$name did not come up at $url"
      exit 1
    fi
    sleep 0.2
  done
}

# Every path must come back 200 with the file's exact size from both servers before anything is measured.
check_responses() {
  local url=$1 name=$2 bad
  bad=$(sed "s|^|-o /dev/null $url|" "$WORK/paths.txt" |
    xargs curl -s -H "Host: $HOST_HEADER" -w '%{http_code} %{size_download}\n' |
    paste -d' ' - "$WORK/sizes.txt" | awk '$1 != 200 || $2 != $3' | wc -l)
  if [ "$bad" -ne 0 ]; then
    log "$name answered $bad of $(wc -l <"$WORK/paths.txt") paths wrongly"
    exit 1
  fi
}

write_wrk_script() {
  cat >"$WORK/cycle.lua" <<'EOF'
-- Cycles through the site's paths; each thread starts at a different place in the list.
wrk.headers["Host"] = "bench.localhost"
local paths = {}
local next_index = 0

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  next_index = math.random(#paths)
end

function request()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d bytes=%d socket_errors=%d non2xx=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
EOF
}

# run_wrk NAME URL DURATION: prints one line; unless NAME is warmup, appends "NAME rps socket_errors non2xx" to results
run_wrk() {
  local name=$1 url=$2 duration=$3 result rps socket_errors non2xx p50 p99
  result=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency -s "$WORK/cycle.lua" "$url" -- "$WORK/paths.txt" |
    grep '^RESULT') || {
    log "wrk failed against $name at $url"
    exit 1
  }
  read -r rps socket_errors non2xx p50 p99 < <(awk '{
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      printf "%.0f %d %d %.2f %.2f\n", v["requests"] / (v["duration_us"] / 1e6), v["socket_errors"], v["non2xx"],
        v["p50_us"] / 1000, v["p99_us"] / 1000
    }' <<<"$result")
  printf '  %-12s %8s req/s  socket errors %s, non-2xx %s, p50 %s ms, p99 %s ms\n' "$name" "$rps" \
    "$socket_errors" "$non2xx" "$p50" "$p99"
  if [ "$name" != warmup ]; then
    echo "$name $rps $socket_errors $non2xx" >>"$WORK/results.txt"
  fi
}

main() {
  install_tools
  WORK=$(mktemp -d /tmp/miaobu-site-bench.XXXXXX)
  chmod 755 "$WORK" # nginx workers run as an unprivileged user when started as root
  SITE="$WORK/site"
  generate_site "$SITE" "$FILES"
  sed "s|^|$SITE|" "$WORK/paths.txt" | xargs stat -c %s >"$WORK/sizes.txt"
  log "site: $(wc -l <"$WORK/paths.txt") files, $(du -sk "$SITE" | cut -f1) KB, in $SITE"
  write_wrk_script
  start_nginx
  start_site_server
  check_responses "$NGINX_URL" nginx
  check_responses "$SITE_URL" "site server"

  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION over $(wc -l <"$WORK/paths.txt") files, Host: $HOST_HEADER, $(nproc) CPUs"
  # The JVM needs its JIT compiler to settle; it goes first so compilation does not steal CPU from nginx's runs.
  echo "warm-up ($WARMUP each):"
  run_wrk warmup "$SITE_URL" "$WARMUP"
  run_wrk warmup "$NGINX_URL" "$WARMUP"
  echo "runs:"
  for ((round = 1; round <= ROUNDS; round++)); do
    run_wrk nginx "$NGINX_URL" "$DURATION"
    run_wrk site-server "$SITE_URL" "$DURATION"
  done

  awk '
    { rps[$1] += $2; runs[$1]++; errors[$1] += $3 + $4 }
    END {
      n = rps["nginx"] / runs["nginx"]; s = rps["site-server"] / runs["site-server"]
      printf "nginx        mean %8.0f req/s  errors+non-2xx %d\n", n, errors["nginx"]
      printf "site server  mean %8.0f req/s  errors+non-2xx %d\n", s, errors["site-server"]
      printf "ratio site server / nginx: %.2f (target >= 0.80)\n", s / n
    }' "$WORK/results.txt"
}

main "$@"
