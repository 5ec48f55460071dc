# Shared by docker/e2e and the README's container instructions: rootful podman + Debian's
# docker-compose 1.29 on a machine with no Docker engine and no registry (see docs/deploy.md).
# Source it; it defines podman_setup, base_image, podman_socket_start/stop, healthcheck_loop.

PRINTMON_ROOT=${PRINTMON_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PODMAN_WORK=${PODMAN_WORK:-/var/tmp/printmon-containers}
PODMAN_SOCK=${PODMAN_SOCK:-/run/podman/printmon-podman.sock}

podman_setup() {
  local need=()
  for p in podman runc iptables debootstrap; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  if ((${#need[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  # Without --no-install-recommends docker-compose drags in the Docker engine.
  dpkg -s docker-compose >/dev/null 2>&1 ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
  mkdir -p "$PODMAN_WORK"
  # crun refuses hybrid cgroups here; root lacks CAP_SYS_RESOURCE for podman's default rlimits.
  local nofile nproc
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
  cat >"$PODMAN_WORK/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
CONF
  export CONTAINERS_CONF=$PODMAN_WORK/containers.conf
}

# FROM debian:12 without a registry: debootstrap the host's mirror into an image.
base_image() {
  podman image exists localhost/debian:12 && return 0
  local mirror rootfs=$PODMAN_WORK/rootfs
  mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list)
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$PODMAN_WORK/debootstrap.log" 2>&1
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    rm -f "$rootfs/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
  fi
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'CONF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
  printf 'Acquire::Languages "none";\nAcquire::GzipIndexes "true";\n' >"$rootfs/etc/apt/apt.conf.d/docker-apt"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . |
    podman import --change 'CMD ["/bin/bash"]' --change 'ENV DEBIAN_FRONTEND=noninteractive' \
      - localhost/debian:12 >/dev/null
  rm -rf "$rootfs"
  for t in debian:12 debian:bookworm; do podman tag localhost/debian:12 "docker.io/library/$t"; done
}

PODMAN_SVC_PID=
podman_socket_start() {
  rm -f "$PODMAN_SOCK"
  mkdir -p "$(dirname "$PODMAN_SOCK")"
  podman system service --time=0 "unix://$PODMAN_SOCK" >"$PODMAN_WORK/podman-service.log" 2>&1 &
  PODMAN_SVC_PID=$!
  export DOCKER_HOST=unix://$PODMAN_SOCK
  for _ in $(seq 1 100); do podman --remote --url "unix://$PODMAN_SOCK" info >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "podman API socket did not come up" >&2
  return 1
}
podman_socket_stop() {
  [ -n "$PODMAN_SVC_PID" ] || return 0
  kill "$PODMAN_SVC_PID" 2>/dev/null || true
  timeout 30 tail --pid="$PODMAN_SVC_PID" -f /dev/null || true
  PODMAN_SVC_PID=
}

# No systemd: podman never runs healthchecks itself; `condition: service_healthy` needs this.
HEALTH_PID=
healthcheck_loop_start() {
  (
    for _ in $(seq 1 1800); do
      for c in $(podman ps -q --filter health=starting --filter health=unhealthy 2>/dev/null); do
        podman healthcheck run "$c" >/dev/null 2>&1 || true
      done
      sleep 2
    done
  ) &
  HEALTH_PID=$!
}
healthcheck_loop_stop() { [ -n "$HEALTH_PID" ] && kill "$HEALTH_PID" 2>/dev/null; HEALTH_PID=; }

# PRINTMON_PREBUILT=BUILD_DIR (CI: build/release, which deploy/test-debs just compiled): the
# images take those binaries (docker/prebuild) instead of compiling them again in the build stage.
binaries_source() {
  if [ -n "${PRINTMON_PREBUILT:-}" ]; then
    "$PRINTMON_ROOT/docker/prebuild" "$PRINTMON_PREBUILT"
    export PRINTMON_BINARIES=prebuilt
  else
    export PRINTMON_BINARIES=build
  fi
}
