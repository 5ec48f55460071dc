# The cloud's high-availability pieces, all from Debian's apt (no registry images), one target
# each (docker-compose.cloud-ha.yml picks them with `target:`):
#   etcd     etcd-server: Patroni's consensus store (one member here; three in production)
#   patroni  postgresql-15 + patroni: a PostgreSQL node that Patroni makes primary or replica
#   haproxy  haproxy: TCP (TLS passthrough) balancer over the cloud-api replicas
FROM debian:12 AS etcd
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends etcd-server \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o etcd -g etcd -m 0700 /var/lib/etcd/data
VOLUME /var/lib/etcd/data
USER etcd
EXPOSE 2379 2380
# etcd's own /health (etcdctl is in another package, etcd-client: bash does the request).
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/2379 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '\"health\":\"true\"' <&3"]
ENTRYPOINT ["/usr/bin/etcd"]

FROM debian:12 AS patroni
# python3-etcd: Patroni's etcd/etcd3 stores need it (the package only recommends a store).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-15 \
        patroni python3-etcd \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
COPY docker/ha/patroni-entrypoint docker/ha/patroni-post-bootstrap /usr/local/bin/
VOLUME /var/lib/postgresql/data
USER postgres
EXPOSE 5432 8008
# Patroni's /health: 200 while its PostgreSQL runs (primary or replica).
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=5 \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8008/health', timeout=2)"]
ENTRYPOINT ["/usr/local/bin/patroni-entrypoint"]

FROM debian:12 AS haproxy
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends haproxy \
    && rm -rf /var/lib/apt/lists/*
COPY docker/ha/haproxy.cfg /etc/haproxy/haproxy.cfg
USER haproxy
EXPOSE 8443 8404
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8404"]
ENTRYPOINT ["/usr/sbin/haproxy", "-W", "-db", "-f", "/etc/haproxy/haproxy.cfg"]
