# syntax=docker/dockerfile:1
# cwm-gateway: an MCP server on stdio. The image runs the zipapp built for its Python.
#
#   scripts/build-image                      # builds the pyz, then this file, with podman or docker
#   docker run -i --rm -e CONNECTWISE_API_URL -e CONNECTWISE_COMPANY_ID -e CONNECTWISE_PUBLIC_KEY \
#       -e CONNECTWISE_PRIVATE_KEY -e CONNECTWISE_CLIENT_ID cwm-gateway
#
# BASE is any image with Python 3.11 as `python3` and CA certificates (Debian bookworm's python3 is
# 3.11, so scripts/build-image bootstraps one when no image registry is reachable). Credentials come
# from the environment at run time; none are baked into a layer. A container has no OS keyring, and
# stdio servers have nothing for a HEALTHCHECK to probe.
ARG BASE=docker.io/library/python:3.11-slim
FROM ${BASE}

ARG PYZ=build/cwm-gateway-linux-x86_64-py3.11.pyz
ARG VERSION=0.1.0
# The MCP registry checks this label against server.json's name.
LABEL io.modelcontextprotocol.server.name="io.github.cwm-gateway/cwm-gateway" \
      org.opencontainers.image.title="cwm-gateway" \
      org.opencontainers.image.description="MCP server for the whole ConnectWise Manage REST API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/cwm-gateway/cwm-gateway" \
      org.opencontainers.image.licenses="MIT"
ENV SHIV_ROOT=/home/cwm/.shiv \
    PYTHONUNBUFFERED=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin cwm
COPY --chmod=0644 ${PYZ} /opt/cwm-gateway/cwm-gateway.pyz

USER 10001
WORKDIR /home/cwm
# Unpack once while building, so every `docker run --rm` starts warm.
RUN python3 /opt/cwm-gateway/cwm-gateway.pyz --version

ENTRYPOINT ["python3", "/opt/cwm-gateway/cwm-gateway.pyz"]
