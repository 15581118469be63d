#!/usr/bin/env bash
# The yardstick for `npm run bench`: the seed lesson's claims checked one after another with the plain
# docker CLI, as a learner would type them. Loopback and the engine's own bridge only; nothing is pulled.
set -euo pipefail
image=${1:-netlab/probe:latest}
name=netlab-baseline-$$
cleanup() { docker rm -f "$name-a" "$name-b" "$name-c" "$name-n1" "$name-n2" "$name-h1" "$name-h2" >/dev/null 2>&1 || true; }
trap cleanup EXIT

docker network ls --format '{{.Name}} {{.Driver}}' >/dev/null
ip -d link show docker0 >/dev/null
for c in a b c; do docker run -d --name "$name-$c" --label dev.netlab.managed=true "$image" sleep 600 >/dev/null; done
for c in a b c; do docker exec "$name-$c" ip -o link >/dev/null; docker inspect -f '{{.State.Pid}} {{.NetworkSettings.IPAddress}}' "$name-$c" >/dev/null; done
b=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$name-b")
docker exec "$name-b" httpd -p "$b:8080" -h /
docker exec "$name-a" nc "$b" 8080 </dev/null >/dev/null || true
for c in n1 n2; do docker run -d --name "$name-$c" --network none --label dev.netlab.managed=true "$image" sleep 600 >/dev/null; done
docker exec "$name-n1" ip -o link >/dev/null
docker exec "$name-n1" nc "$b" 8080 </dev/null >/dev/null 2>&1 || true
for c in h1 h2; do docker run -d --name "$name-$c" --network host --label dev.netlab.managed=true "$image" sleep 600 >/dev/null; done
docker exec "$name-h1" httpd -p 127.0.0.1:18081 -h /
busybox nc 127.0.0.1 18081 </dev/null >/dev/null
docker exec "$name-h2" httpd -p 127.0.0.1:18081 -h / 2>/dev/null || true
