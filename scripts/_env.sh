# shellcheck shell=bash
# Shared by scripts/*: where the Python >= 3.14.2 environment lives and how to run in it.
#
# Two routes, chosen automatically:
#   host   - a python3.14 (>= 3.14.2) on the host (or PW_PYTHON=/path/to/python): a venv in
#            .toolchain/venv, no root needed.
#   chroot - otherwise (Debian 12 ships 3.11): a Debian "testing" root file system built with
#            debootstrap in .toolchain/root, with its own python3.14 and venv (/opt/venv); the repo
#            is bind-mounted at /repo inside it. Needs root.
# Both live under .toolchain/ (git-ignored). PW_TOOLCHAIN=/some/dir overrides the location.

PW_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PW_TOOLCHAIN="${PW_TOOLCHAIN:-$PW_REPO/.toolchain}"
PW_ROOT="$PW_TOOLCHAIN/root"
PW_REQUIREMENTS="$PW_REPO/requirements_test.txt"

pw_python_ok() { # $1: a python executable; true if it is >= 3.14.2
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)' 2>/dev/null
}

pw_find_host_python() {
  local candidate
  for candidate in "${PW_PYTHON:-}" python3.14 python3 python; do
    [ -n "$candidate" ] || continue
    candidate="$(command -v "$candidate" 2>/dev/null)" || continue
    if pw_python_ok "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

pw_mode() {
  if [ -f "$PW_TOOLCHAIN/mode" ]; then cat "$PW_TOOLCHAIN/mode"; return; fi
  if pw_find_host_python >/dev/null; then echo host; else echo chroot; fi
}

# pw_run CMD...: run CMD (a command line for bash) with the venv active, in the repo root.
# In chroot mode the bind mounts live in a private mount namespace (unshare), so they
# vanish when the command ends: nothing is left mounted under .toolchain/.
pw_run() {
  if [ "$(pw_mode)" = host ]; then
    (cd "$PW_REPO" && PATH="$PW_TOOLCHAIN/venv/bin:$PATH" VIRTUAL_ENV="$PW_TOOLCHAIN/venv" bash -c "$*")
  else
    cp /etc/resolv.conf "$PW_ROOT/etc/resolv.conf" 2>/dev/null || true
    mkdir -p "$PW_ROOT/proc" "$PW_ROOT/dev" "$PW_ROOT/repo"
    unshare --mount --propagation private /bin/bash -c '
      set -e
      root=$1 repo=$2
      mount --bind /proc "$root/proc"
      mount --rbind /dev "$root/dev"
      mount --bind "$repo" "$root/repo"
      exec env -u PIP_FIND_LINKS HOME=/root LANG=C.UTF-8 VIRTUAL_ENV=/opt/venv \
        PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        "$(command -v chroot)" "$root" /bin/bash -c "cd /repo && $3"
    ' pw_run "$PW_ROOT" "$PW_REPO" "$*"
  fi
}

# The repo path as seen by commands run through pw_run.
pw_repo_path() {
  if [ "$(pw_mode)" = host ]; then echo "$PW_REPO"; else echo /repo; fi
}
