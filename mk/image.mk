# The container image of the service (app/Dockerfile).
#
#   make image        build it: the only release build of the service that `make test` makes
#   make image-test   check the Dockerfile, build the image, run it read-only as its user, report figures
#
# Where buildx is installed (CI, Docker Desktop) the image builds with BuildKit, reusing whatever
# cache that builder holds. Elsewhere it builds with the classic builder, on the host network,
# because an engine started by scripts/docker-engine.sh has no bridge; there the base images come
# from scripts/offline-base-images.sh, which keeps real ones already in the engine and otherwise
# builds stand-ins (it asks a registry only when told to: BASE_IMAGE_PULL=1).
# docs/container.md has the design and the measured figures.

IMAGE ?= orders-service:local
# IMAGE_NO_CACHE=1 builds every layer anew instead of reusing the engine's layer cache.
IMAGE_NO_CACHE ?= 0
# The compiler shares the machine's CPU with everything else; a niceness of 10 keeps it polite.
IMAGE_BUILD_NICENESS ?= 10
IMAGE_BUILD_ARGS = \
	--build-arg BUILD_NICENESS=$(IMAGE_BUILD_NICENESS) \
	--build-arg REVISION="$$(git -C $(ROOT) rev-parse HEAD 2>/dev/null || true)" \
	--build-arg VERSION="$$(git -C $(ROOT) describe --always --dirty 2>/dev/null || echo dev)" \
	--build-arg SOURCE_URL="$$(git -C $(ROOT) remote get-url origin 2>/dev/null || true)" \
	$(if $(filter 1,$(IMAGE_NO_CACHE)),--no-cache)

.PHONY: image image-test docker-engine

docker-engine: ## Start a Docker engine if none answers (host networking only)
	@$(ROOT)/scripts/docker-engine.sh

image: docker-engine ## Build the service image (release build inside the image)
	@if docker buildx version >/dev/null 2>&1; then \
		echo "==> docker buildx build $(IMAGE)"; \
		docker buildx build --load $(IMAGE_BUILD_ARGS) --tag $(IMAGE) $(ROOT)/app; \
	else \
		$(ROOT)/scripts/offline-base-images.sh; \
		echo "==> docker build $(IMAGE) (classic builder, host network)"; \
		DOCKER_BUILDKIT=0 docker build --network=host $(IMAGE_BUILD_ARGS) --tag $(IMAGE) $(ROOT)/app; \
	fi

image-test: venv ## Image: hadolint, build, run read-only as non-root, health, orders, SIGTERM, sizes
	@PY=$(PY) MAKE="$(MAKE)" IMAGE=$(IMAGE) $(ROOT)/tests/image/run.sh
