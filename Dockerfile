# syntax=docker/dockerfile:1
#
# Imbi as one self-contained executable (Bun runtime + app + sharp/libvips) on a
# slim glibc base.
#
#   docker build --build-arg IMBI_COMMIT="$(git rev-parse --short=12 HEAD)" -t imbi .
#   docker run -p 8000:8000 --env-file .env imbi
#
# Read-only root filesystem: `--read-only --tmpfs /tmp:exec`. /tmp must be
# writable AND exec-allowed: libvips and the sharp addon are extracted there and
# dlopen()ed on the first image operation (Docker's plain `--tmpfs` is noexec).

ARG BUN_VERSION=1.4.5

# --- build ------------------------------------------------------------------
FROM oven/bun:${BUN_VERSION} AS build
WORKDIR /src

# Dependencies first so this layer is cached until the lockfile changes.
# Build-time only needs runtime dependencies; the native sharp packages
# (@img/sharp-linux-*) are picked for this build platform, which must be the
# platform the image runs on.
COPY package.json bun.lock bunfig.toml ./
RUN bun install --frozen-lockfile --production

COPY . .
# .git is not in the build context, so the commit is passed in.
ARG IMBI_COMMIT=unknown
# Optional Bun compile target, e.g. bun-linux-x64-baseline for CPUs without AVX2.
ARG IMBI_COMPILE_TARGET=""
RUN IMBI_COMMIT="${IMBI_COMMIT}" bun run build ${IMBI_COMPILE_TARGET:+--target "${IMBI_COMPILE_TARGET}"}

# --- runtime ----------------------------------------------------------------
# bookworm-slim already has glibc, libstdc++6 and libgcc-s1, which libvips needs.
FROM debian:bookworm-slim AS runtime

ARG IMBI_COMMIT=unknown
LABEL org.opencontainers.image.title="imbi" \
      org.opencontainers.image.revision="${IMBI_COMMIT}"

# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 imbi \
 && useradd --system --uid 10001 --gid imbi --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin imbi \
 && install -d -o root -g root -m 0755 /app /etc/imbi

COPY --from=build /src/dist/imbi /usr/local/bin/imbi

# IMBI_API_HOST: listen on all interfaces inside the container.
# XDG_CACHE_HOME: where the embedded libvips is extracted (a private 0700 dir is
# created on first use); it must be writable by uid 10001 and not mounted noexec.
ENV IMBI_API_HOST=0.0.0.0 \
    XDG_CACHE_HOME=/tmp/imbi-cache

# ./config.toml and ./.env are read from here; /etc/imbi/config.toml also works.
WORKDIR /app
USER 10001:10001
EXPOSE 8000

# `imbi healthcheck` GETs {prefix}/status on the local port, exits 0/1 (5 s timeout).
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/imbi", "healthcheck"]

ENTRYPOINT ["/usr/local/bin/imbi"]
CMD ["serve"]
