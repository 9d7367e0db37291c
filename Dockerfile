# syntax=docker/dockerfile:1
# cwm-gateway: an MCP server on stdio. The image runs the zipapp built for its Python:
#
#   scripts/build-pyz --platform linux-x86_64 --python-version 3.11
#   docker build -t cwm-gateway .            # arm64: --build-arg PYZ=build/cwm-gateway-linux-aarch64-py3.11.pyz
#   docker run -i --rm -e CONNECTWISE_API_URL -e CONNECTWISE_COMPANY_ID -e CONNECTWISE_PUBLIC_KEY \
#       -e CONNECTWISE_PRIVATE_KEY -e CONNECTWISE_CLIENT_ID cwm-gateway
#
# Credentials come from the environment at run time; none are baked into a layer. A container
# has no OS keyring, and stdio servers have nothing for a HEALTHCHECK to probe.
FROM python:3.11-slim

ARG PYZ=build/cwm-gateway-linux-x86_64-py3.11.pyz
ENV SHIV_ROOT=/home/cwm/.shiv \
    PYTHONUNBUFFERED=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin cwm
COPY --chmod=0644 ${PYZ} /opt/cwm-gateway/cwm-gateway.pyz

USER 10001
WORKDIR /home/cwm
# Unpack once while building, so every `docker run --rm` starts warm.
RUN python /opt/cwm-gateway/cwm-gateway.pyz --version

ENTRYPOINT ["python", "/opt/cwm-gateway/cwm-gateway.pyz"]
