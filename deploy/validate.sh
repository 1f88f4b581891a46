#!/usr/bin/env bash
# Checks the deployment files without a Docker engine or a Kubernetes cluster (neither exists on
# the development and CI machines): the compose files through Debian's docker-compose (`config`
# parses and validates them against the compose schema without a daemon), the Kubernetes
# manifests against the API schemas bundled in the kubernetes-models npm package, and the
# Dockerfile with dockerfile-utils' linter (the image itself is never built here).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
  # --no-install-recommends: the compose tool only, not the docker.io engine it recommends
  apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi
docker-compose version --short

ok=0
failed=0
check() { # name, command...
  local name="$1"
  shift
  if "$@"; then
    echo "ok   $name"
    ok=$((ok + 1))
  else
    echo "FAIL $name" >&2
    failed=$((failed + 1))
  fi
}

# the compose files take the admin key from .env and refuse to start without it: a stand-in here
export MEMORY_MCP_ADMIN_API_KEY="validation-only-placeholder-key-0123456789"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
check "docker-compose.yml parses and validates" \
  sh -c 'docker-compose -f docker-compose.yml config > "$1"' _ "$out/cluster.yml"
check "docker-compose.embedded.yml parses and validates" \
  sh -c 'docker-compose -f docker-compose.embedded.yml config > "$1"' _ "$out/embedded.yml"
# secure by default: every published HTTP port requires a key, the admin key comes from .env
check "compose files: the published gateway requires auth with the admin key from .env" python3 - "$out/cluster.yml" "$out/embedded.yml" <<'PY'
import sys, yaml
for path, svc in ((sys.argv[1], "gateway"), (sys.argv[2], "memory")):
    env = yaml.safe_load(open(path))["services"][svc]["environment"]
    assert str(env.get("MEMORY_MCP_REQUIRE_AUTH")).lower() == "true", (path, "auth is off")
    assert env.get("MEMORY_MCP_ADMIN_API_KEY", "").startswith("validation-only"), (path, "admin key not from .env")
PY
# what `up --scale embedding=4` needs, and what the issue asks of the cluster file
check "docker-compose.yml: services, replicas, scalable roles, healthchecks, gateway port" python3 - "$out/cluster.yml" <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
s = c["services"]
problems = []
want = {"qdrant", "auth", "storage", "search", "embedding", "ingest", "gateway"}
if set(s) != want:
    problems.append(f"services {sorted(s)} != {sorted(want)}")
for name in ("embedding", "storage", "ingest"):
    if s.get(name, {}).get("deploy", {}).get("replicas", 1) < 2:
        problems.append(f"{name} needs deploy.replicas >= 2")
if s.get("auth", {}).get("deploy", {}).get("replicas", 1) != 1:
    problems.append("auth owns auth.db: exactly one replica")
for name in ("embedding", "storage", "search", "ingest"):
    svc = s.get(name, {})
    if "container_name" in svc or "ports" in svc:
        problems.append(f"{name} must not fix a container name or host port (it is scaled)")
for name, svc in s.items():
    if "healthcheck" not in svc:
        problems.append(f"{name} has no healthcheck")
    if name != "qdrant" and not any(a in ("memory-cluster",) for a in svc.get("networks", {}).get("default", {}).get("aliases", [])):
        problems.append(f"{name} is not on the memory-cluster alias")
if not str(s.get("qdrant", {}).get("image", "")).startswith("qdrant/qdrant:v"):
    problems.append("qdrant image must be pinned to a version")
ports = [str(p.get("published", p) if isinstance(p, dict) else p) for p in s.get("gateway", {}).get("ports", [])]
if not any("26262" in p for p in ports):
    problems.append("gateway must publish port 26262")
if s.get("storage", {}).get("environment", {}).get("MEMORY_MCP_STORAGE_BACKEND") != "qdrant":
    problems.append("storage must use the qdrant backend")
if s.get("storage", {}).get("environment", {}).get("MEMORY_MCP_INGEST_QUEUE", "auto") not in ("auto", "qdrant"):
    problems.append("several storage members need the shared ingest queue (ingest.queue auto or qdrant)")
if s.get("storage", {}).get("volumes"):
    problems.append("scaled storage members must not share a data volume (each locks its data dir)")
if not any("/data" in str(v) for v in s.get("auth", {}).get("volumes", [])):
    problems.append("auth needs the ./data/auth volume (auth.db)")
if "--role" not in s.get("auth", {}).get("command", []) or "auth" not in s.get("auth", {}).get("command", []):
    problems.append("the auth service must run serve --role auth")
for p in problems:
    print("  " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY

if [ ! -d deploy/validate/node_modules ]; then
  timeout 600 npm ci --prefix deploy/validate --no-audit --no-fund >/dev/null
fi
check "deploy/k8s manifests match the Kubernetes API schemas" \
  node deploy/validate/validate-k8s.mjs deploy/k8s/*.yaml
check "deploy/Dockerfile lints clean (dockerfile-utils)" \
  node deploy/validate/validate-dockerfile.mjs deploy/Dockerfile

echo "deploy: $ok passed, $failed failed"
[ "$failed" = 0 ]
