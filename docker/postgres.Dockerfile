# PostgreSQL 15 from Debian's apt (no registry images): for the branch and cloud stacks.
FROM debian:12
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/*
COPY docker/postgres-entrypoint /usr/local/bin/postgres-entrypoint
ENV PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
EXPOSE 5432
USER postgres
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
    CMD ["/usr/lib/postgresql/15/bin/pg_isready", "-h", "127.0.0.1", "-q"]
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]
