#!/usr/bin/env bash
# Installs what Gridworker needs on Debian 12 with Node 20, and nothing when it is already there:
# Debian packages (as root) when a command is missing, npm packages when package-lock.json changed.
# Nothing is fetched at run or test time after this.
set -euo pipefail
cd "$(dirname "$0")/.."

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "gridworker setup: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# Debian packages, each checked by what it provides.
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# The RTSP test server (test-fixtures/rtsp-server) is GStreamer's RTSP server through Python bindings,
# run by the system python (/usr/bin/python3); the plugin packages bring filesrc, qtdemux, h264parse, rtph264pay.
/usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0"); from gi.repository import GstRtspServer' >/dev/null 2>&1 ||
  need+=(python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-rtsp-server-1.0
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
    gstreamer1.0-libav)
# promtool (Debian's prometheus package) checks the metrics and alert rules in the tests only:
# `setup.sh --test` (what `npm test` runs) installs it; `npm start` does not need it.
if [ "${1:-}" = "--test" ]; then
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
  # The console's browser tests drive Debian's chromium (playwright-core, no downloaded browser) and
  # need a CJK font so Chinese text renders (WenQuanYi Micro Hei: 1.6 MB, against 56 MB for Noto CJK).
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  fc-list 2>/dev/null | grep -qiE 'wqy|noto sans cjk|noto serif cjk' || need+=(fonts-wqy-microhei)
fi
if ((${#need[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
      echo "gridworker setup: these Debian packages are missing and installing them needs root: ${need[*]}" >&2
      exit 1
    fi
  else SUDO=; fi
  echo "gridworker setup: installing Debian packages: ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The tests only want promtool: do not leave the Prometheus server the package starts running.
  if [[ " ${need[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

# PostgreSQL for the tests (`setup.sh --test`): the record's tests run against a real server at
# 127.0.0.1:5432 (or TEST_DATABASE_URL). CI machines have one; on a fresh Debian with none reachable,
# install Debian's `postgresql` and start its cluster with trust auth on loopback only (a test
# machine: `npm start` itself needs none, it uses the embedded database). The kill tests also use
# its initdb / pg_ctl to start throw-away servers of their own.
pg_answers() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if [ "${1:-}" = "--test" ] && [ -z "${TEST_DATABASE_URL:-}" ]; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    echo "gridworker setup: installing PostgreSQL for the tests" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  if ! pg_answers; then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_lsclusters -h 2>/dev/null | grep -q "^$ver main" || $SUDO pg_createcluster "$ver" main >/dev/null
    hba=/etc/postgresql/$ver/main/pg_hba.conf
    if ! grep -q '^# gridworker-test' "$hba"; then
      printf '# gridworker-test: trust on loopback for the test suite\nlocal all all trust\nhost all all 127.0.0.1/32 trust\n' | $SUDO tee "$hba.new" >/dev/null
      $SUDO sh -c "cat '$hba' >> '$hba.new' && mv '$hba.new' '$hba' && chown postgres:postgres '$hba'"
    fi
    echo "gridworker setup: starting PostgreSQL $ver on 127.0.0.1:5432 for the tests" >&2
    $SUDO pg_ctlcluster "$ver" main start || $SUDO pg_ctlcluster "$ver" main reload
    for _ in $(seq 1 50); do pg_answers && break; sleep 0.2; done
  fi
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname = 'test'" 2>/dev/null | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test' 2>/dev/null || true
fi

# npm packages: reinstall only when the lock file changed since the last install.
# onnxruntime-node's install script would download GPU libraries; the CPU runtime is in the package.
stamp=node_modules/.gridworker-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "gridworker setup: installing npm packages (npm ci)" >&2
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# The console (web/ -> web/dist, Vite): rebuilt only when its sources or the lock file changed.
web_stamp=web/dist/.gridworker-build.sha256
web_want=$( (find web/src web/public web/index.html web/vite.config.ts scripts/build-web.sh -type f | LC_ALL=C sort | xargs sha256sum; sha256sum package-lock.json) | sha256sum | cut -d' ' -f1)
if [ ! -f web/dist/index.html ] || [ ! -f "$web_stamp" ] || [ "$(cat "$web_stamp")" != "$web_want" ]; then
  echo "gridworker setup: building the console (web/ -> web/dist)" >&2
  # The same script the Dockerfile's console stage runs.
  bash scripts/build-web.sh
  echo "$web_want" > "$web_stamp"
fi
