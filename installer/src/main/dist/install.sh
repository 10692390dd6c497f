#!/bin/sh
# Installs the Assay agent as a systemd service.
#
#   install.sh [--prefix DIR] [--server URL] [--token TOKEN] [--ca-fingerprint FP] [--no-start]
#
# --prefix DIR   install under DIR instead of / (for packaging and tests: no user is created,
#                nothing is started)
# --server URL   collector URL, written into /etc/assay/agent.conf on first install
# --token TOKEN  enrollment token: enroll right after installing (needs --server)
# --ca-fingerprint FP  with an https --server: the collector CA's fingerprint (sha256:..., from
#                'assay-server tls fingerprint ca.crt'); enrollment pins that CA, and is refused without it
# --no-start     install and enable, but do not start the service
#
# Re-running it upgrades the program files and the unit; it never overwrites an existing
# /etc/assay/agent.conf or anything in /var/lib/assay (the host key and the spool).
# Exit codes: 0 installed, 1 failed, 2 usage error.
set -eu

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
prefix=""; server=""; token=""; ca_fp=""; start=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --server) server=${2:?--server needs a URL}; shift 2 ;;
    --token) token=${2:?--token needs a value}; shift 2 ;;
    --ca-fingerprint) ca_fp=${2:?--ca-fingerprint needs sha256:HEX}; shift 2 ;;
    --no-start) start=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1'. Run install.sh --help." >&2; exit 2 ;;
  esac
done
if [ -n "$token" ] && [ -z "$server" ]; then
  echo "install.sh: --token needs --server (the collector to enroll with)." >&2; exit 2
fi

src=$(cd "$(dirname "$0")" && pwd)
for f in lib/assay-agent.jar lib/jvm.options bin/assay-agent assay-agent.service agent.conf \
         allowlist.json.example local-rules.json.example; do
  [ -e "$src/$f" ] || { echo "install.sh: $src/$f is missing; unpack the whole installer archive and run it from there." >&2; exit 1; }
done
if [ -z "$prefix" ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: installing a system service needs root. Re-run with sudo, or use --prefix DIR." >&2; exit 1
fi

root=${prefix%/}
opt=$root/opt/assay
etc=$root/etc/assay
state=$root/var/lib/assay
unitdir=$root/etc/systemd/system

echo "Installing Assay agent into ${prefix:-/}"
mkdir -p "$opt/bin" "$opt/lib" "$etc" "$unitdir"
install -m 0755 "$src/bin/assay-agent" "$opt/bin/assay-agent"
install -m 0644 "$src/lib/assay-agent.jar" "$opt/lib/assay-agent.jar"
install -m 0644 "$src/lib/jvm.options" "$opt/lib/jvm.options"
install -m 0644 "$src/assay-agent.service" "$unitdir/assay-agent.service"
install -m 0755 "$src/uninstall.sh" "$opt/uninstall.sh"
[ -d "$src/runtime" ] && { rm -rf "$opt/runtime"; cp -a "$src/runtime" "$opt/runtime"; }
if [ -e "$etc/agent.conf" ]; then
  echo "  keeping existing $etc/agent.conf"
  install -m 0640 "$src/agent.conf" "$etc/agent.conf.new"
else
  install -m 0640 "$src/agent.conf" "$etc/agent.conf"
  if [ -n "$server" ]; then
    sed -i "s|^#\{0,1\} *server.url *=.*|server.url = $server|" "$etc/agent.conf"
  fi
fi
# The operator's allowlist and local rules start as commented examples; the agent reads
# allowlist.json and local-rules.json only once someone copies and edits them.
install -m 0644 "$src/allowlist.json.example" "$etc/allowlist.json.example"
install -m 0644 "$src/local-rules.json.example" "$etc/local-rules.json.example"
mkdir -p "$state"
chmod 0700 "$state"

if [ -n "$prefix" ]; then
  echo "Installed under $prefix (no user created, no service started)."
  exit 0
fi

if ! id assay >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/assay --no-create-home --shell /usr/sbin/nologin assay
fi
chown -R assay:assay "$state"
chgrp assay "$etc/agent.conf"
if [ -n "$token" ]; then
  # Hand the token over in a file only the agent's user can read, not on a command line that
  # every user on the host can see in ps.
  token_file=$(mktemp)
  trap 'rm -f "$token_file"' EXIT
  chmod 0600 "$token_file"
  printf '%s\n' "$token" > "$token_file"
  chown assay "$token_file"
  runuser -u assay -- "$opt/bin/assay-agent" enroll --server "$server" --token-file "$token_file" --state-dir "$state" \
    ${ca_fp:+--ca-fingerprint "$ca_fp"}
  rm -f "$token_file"
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable assay-agent.service
  [ "$start" = 1 ] && systemctl restart assay-agent.service
  echo "Installed. Check it with: systemctl status assay-agent; $opt/bin/assay-agent status --state-dir $state"
else
  echo "Installed, but systemd is not running here: start it by hand with $opt/bin/assay-agent run --config $etc/agent.conf --state-dir $state"
fi
