#!/bin/sh
# Removes the Assay agent service and program files.
#
#   uninstall.sh [--prefix DIR] [--purge]
#
# Keeps /etc/assay (config) and /var/lib/assay (host key, unsent reports) unless --purge:
# unsent reports are evidence, and a reinstall with the same key continues the same chain.
# Exit codes: 0 removed, 2 usage error.
set -eu
prefix=""; purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --purge) purge=1; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "uninstall.sh: unknown option '$1'. Run uninstall.sh --help." >&2; exit 2 ;;
  esac
done
root=${prefix%/}
if [ -z "$prefix" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now assay-agent.service 2>/dev/null || true
fi
rm -f "$root/etc/systemd/system/assay-agent.service"
rm -rf "$root/opt/assay"
if [ "$purge" = 1 ]; then
  rm -rf "$root/etc/assay" "$root/var/lib/assay"
  echo "Removed the Assay agent, its config and its state."
else
  echo "Removed the Assay agent. Kept $root/etc/assay and $root/var/lib/assay (use --purge to remove them)."
fi
[ -z "$prefix" ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] && systemctl daemon-reload
exit 0
