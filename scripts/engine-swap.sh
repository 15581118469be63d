#!/usr/bin/env bash
# Swaps the engine on a socket between Debian bookworm's dockerd 20.10 and trixie's 26.1.5, so netlab's suites run
# on both (users run engines 25-28; this machine's package is 20.10). Each engine keeps its own data root, so a swap
# loses nothing; netlab's probe image is carried across with `docker save | docker load` (no registry here).
#
#   scripts/engine-swap.sh install   download trixie's docker.io (apt source pinned low: nothing installs from it)
#                                    and extract dockerd 26.1.5 + docker-proxy into /opt/docker26/bin
#   scripts/engine-swap.sh to26      stop the engine serving the socket, start 26.1.5 there, load the probe image
#   scripts/engine-swap.sh to20      stop 26.1.5, start bookworm's dockerd as `netlab provision` does, load the image
#   scripts/engine-swap.sh stop      stop whichever of the two serves the socket (a trial run's cleanup)
#   scripts/engine-swap.sh status    which engine answers on the socket
#
# Both run against bookworm's containerd and runc (dockerd starts its own containerd under its exec root).
# Node engines (`netlab nodes`, swarm stacks) start the dockerd on PATH: run the suites with
# PATH=/opt/docker26/bin:$PATH after `to26` so they are 26.1.5 too.
#
# Every path can be overridden, so the swap can be tried on a second socket without touching the machine's engine,
# inside a network namespace of its own: a second dockerd in the host's namespace shares docker0 and the host's
# iptables with the first, and one started with --bridge none deletes docker0 outright (moby's
# removeDefaultBridgeInterface), which breaks every container of the machine's engine on the default bridge:
#   ip netns add swap-trial
#   nsenter --net=/run/netns/swap-trial env SWAP_SOCKET=/run/trial-docker.sock \
#     SWAP_ROOT_26=/var/lib/trial-docker26 SWAP_EXEC_26=/run/trial-docker26 \
#     SWAP_ROOT_20=/var/lib/trial-docker20 SWAP_EXEC_20=/run/trial-docker20 SWAP_PIDFILE_20=/run/trial-docker20.pid \
#     SWAP_FLAGS="--iptables=false --ip6tables=false" scripts/engine-swap.sh to26
set -euo pipefail

SOCKET=${SWAP_SOCKET:-/var/run/docker.sock}
# Every tag of it: netlab tags the probe image by content too (netlab/probe:<hash>) beside :latest.
IMAGE=${SWAP_IMAGE:-netlab/probe}
OPT=${SWAP_OPT:-/opt/docker26}
DOCKERD_26=$OPT/bin/dockerd
ROOT_26=${SWAP_ROOT_26:-/var/lib/docker26}
EXEC_26=${SWAP_EXEC_26:-/run/docker26}
PIDFILE_26=${SWAP_PIDFILE_26:-$EXEC_26.pid}
DOCKERD_20=${SWAP_DOCKERD_20:-/usr/sbin/dockerd}
# 20.10's defaults are what `netlab provision` starts it with (no flags): only a trial run names other roots.
ROOT_20=${SWAP_ROOT_20:-/var/lib/docker}
EXEC_20=${SWAP_EXEC_20:-/var/run/docker}
PIDFILE_20=${SWAP_PIDFILE_20:-/var/run/docker.pid}
FLAGS=${SWAP_FLAGS:-}
LOG_DIR=${SWAP_LOG_DIR:-/var/log/netlab-engine-swap}
# Where the probe image waits between the two engines.
CARRY=${SWAP_IMAGE_TAR:-/var/tmp/netlab-probe-image.tar}
WAIT_S=60

say() { echo "engine-swap: $*" >&2; }
die() {
  say "$*"
  exit 1
}
dockerc() { docker -H "unix://$SOCKET" "$@"; }
answers() { dockerc version --format '{{.Server.Version}}' 2>/dev/null; }

install() {
  if [[ -x $DOCKERD_26 ]]; then
    say "$DOCKERD_26 is there: $("$DOCKERD_26" --version)"
    return
  fi
  local sources=/etc/apt/sources.list.d/trixie-netlab.sources pin=/etc/apt/preferences.d/trixie-netlab-low
  if ! grep -rqs "Suites: trixie" /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$sources"
    # Below every installed package's priority: apt never upgrades anything from trixie by itself.
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 50\n' >"$pin"
  fi
  apt-get update -qq
  local work
  work=$(mktemp -d)
  (cd "$work" && apt-get download docker.io/trixie)
  dpkg-deb -x "$work"/docker.io_*.deb "$work/x"
  mkdir -p "$OPT/bin"
  cp "$work/x/usr/sbin/dockerd" "$work/x/usr/sbin/docker-proxy" "$OPT/bin/"
  rm -rf "$work"
  say "installed $("$DOCKERD_26" --version) in $OPT/bin"
}

# The pid in a pidfile, when that process is a dockerd (a stale file names nothing).
daemon_pid() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]] && echo "$pid"
}

stop_engines() {
  local pidfile pid
  for pidfile in "$PIDFILE_26" "$PIDFILE_20"; do
    pid=$(daemon_pid "$pidfile") || continue
    say "stopping dockerd pid $pid ($pidfile): its containers stop with it…"
    kill -TERM "$pid"
    for ((i = 0; i < WAIT_S * 2; i++)); do
      [[ -d /proc/$pid ]] || break
      sleep 0.5
    done
    [[ -d /proc/$pid ]] && die "dockerd pid $pid still runs after ${WAIT_S} s: see $LOG_DIR"
  done
  if version=$(answers); then die "an engine ($version) still answers on $SOCKET, started by something else: stop it first"; fi
  return 0
}

save_image() {
  local tags
  if answers >/dev/null; then
    tags=$(dockerc images --format '{{.Repository}}:{{.Tag}}' "$IMAGE")
    if [[ -n $tags ]]; then
      # shellcheck disable=SC2086 # one argument per tag
      dockerc save -o "$CARRY" $tags
      say "saved $(echo $tags) to $CARRY"
    fi
  fi
  return 0
}

# start NAME DOCKERD FLAGS…: starts a dockerd in the background on $SOCKET, waits for it to answer.
start_engine() {
  local name=$1 dockerd=$2
  shift 2
  mkdir -p "$LOG_DIR"
  local log=$LOG_DIR/dockerd-$name.log
  local host=()
  [[ $SOCKET == /var/run/docker.sock ]] || host=(--host "unix://$SOCKET")
  # shellcheck disable=SC2086 # FLAGS is a list of flags, split on purpose
  setsid "$dockerd" "${host[@]}" "$@" $FLAGS >>"$log" 2>&1 </dev/null &
  for ((i = 0; i < WAIT_S * 2; i++)); do
    if version=$(answers); then
      say "dockerd $version answers on $SOCKET (log: $log)"
      return
    fi
    sleep 0.5
  done
  die "dockerd $name did not answer on $SOCKET within ${WAIT_S} s: see $log"
}

load_image() {
  if [[ -f $CARRY ]]; then
    dockerc load -i "$CARRY" >&2
  elif [[ -n $(dockerc images -q "$IMAGE") ]]; then
    say "$IMAGE is there already"
  else
    say "no $IMAGE to load (nothing saved at $CARRY): run 'netlab provision' to build it"
  fi
}

case ${1:-} in
  install) install ;;
  to26)
    [[ -x $DOCKERD_26 ]] || die "no $DOCKERD_26: run '$0 install' first"
    save_image
    stop_engines
    start_engine 26 "$DOCKERD_26" --data-root "$ROOT_26" --exec-root "$EXEC_26" --pidfile "$PIDFILE_26" \
      --userland-proxy-path "$OPT/bin/docker-proxy"
    load_image
    ;;
  to20)
    save_image
    stop_engines
    # With no flags where the defaults are meant, exactly as `netlab provision` starts it: the engine's facts
    # (read from its command line) are then what the suites expect of this machine.
    roots=()
    [[ $ROOT_20 == /var/lib/docker ]] || roots+=(--data-root "$ROOT_20")
    [[ $EXEC_20 == /var/run/docker ]] || roots+=(--exec-root "$EXEC_20")
    [[ $PIDFILE_20 == /var/run/docker.pid ]] || roots+=(--pidfile "$PIDFILE_20")
    start_engine 20 "$DOCKERD_20" "${roots[@]}"
    load_image
    ;;
  stop) stop_engines ;;
  status) answers || say "nothing answers on $SOCKET" ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
