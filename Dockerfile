# syntax=docker/dockerfile:1
# cwm-gateway: MCP server on stdio. Build the pyz first: scripts/build-pyz
#   docker build -t cwm-gateway .
#   docker run -i --rm -e CONNECTWISE_API_URL=... cwm-gateway
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 cwm
COPY build/cwm-gateway.pyz /opt/cwm-gateway/cwm-gateway.pyz
USER cwm
ENV SHIV_ROOT=/home/cwm/.shiv \
    PYTHONUNBUFFERED=1
ENTRYPOINT ["python", "/opt/cwm-gateway/cwm-gateway.pyz"]
