#!/usr/bin/env bash
# On a machine with Docker, the NVIDIA container toolkit and a GPU, from the repository root:
#   bash docker/stereocrafter-sagemaker/verify-gpu.sh [image tag]
# Builds the image (its last step already converts a clip on the CPU with no network), starts it
# as SageMaker does but with no network at all, waits for /ping 200 (IW3_REQUIRE_GPU=1: only with
# CUDA and the weights), then converts the generated clip on the GPU once per depth model and
# method the image carries, through the server's own engine. Exit 0 only if all of that worked.
set -euo pipefail

tag=${1:-stereocrafter-sagemaker:verify}
name=stereo-spot-verify-$$
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "== build $tag"
DOCKER_BUILDKIT=1 docker build -f docker/stereocrafter-sagemaker/Dockerfile -t "$tag" .

echo "== start (no network, GPU required)"
# The environment sagemaker-deploy gives the model (SageMaker authenticates callers itself).
docker run -d --name "$name" --gpus all --network none -e HOST=0.0.0.0 -e INFERENCE_AUTH=sagemaker "$tag" serve >/dev/null

echo "== wait for /ping 200"
for _ in $(seq 1 150); do
  if [ "$(docker inspect -f '{{.State.Running}}' "$name")" != true ]; then
    docker logs "$name" | tail -n 20
    echo "the server exited before it was ready (last log lines above)" >&2
    exit 1
  fi
  if docker exec "$name" curl -fsS http://127.0.0.1:8080/ping; then echo; break; fi
  sleep 2
done
docker exec "$name" curl -fsS http://127.0.0.1:8080/ping >/dev/null

echo "== convert a generated clip on the GPU, every depth model and method in the image"
docker exec -e IW3_REQUIRE_GPU=1 "$name" node /opt/inference-server/offline-check.cjs /tmp
docker logs "$name" 2>&1 | grep -m1 'iw3 runs on' || true
echo "== verified: $tag"
