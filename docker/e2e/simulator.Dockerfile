# Test-only: simulated printers (the project's own recordings, tests/data/printers) served by
# Debian's snmpsim, one recording per UDP port 1161, 1162, ... with community "public".
FROM debian:12
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends snmpsim \
    && rm -rf /var/lib/apt/lists/* \
    # snmpsim 0.4.5 --v2c-arch spins on GETBULK (float maxVarBinds/R): integer division.
    && sed 's|maxVarBinds/R|maxVarBinds//R|' /usr/bin/snmpsimd > /usr/local/bin/snmpsimd \
    && chmod 755 /usr/local/bin/snmpsimd
COPY tests/data/printers/ /recordings/
RUN mkdir -p /data/public /cache && i=0 && for f in $(ls /recordings/*.snmprec | sort); do \
      cp "$f" "/data/public/1.3.6.1.6.1.1.$i.snmprec"; i=$((i + 1)); done \
    && chown -R nobody:nogroup /data /cache
USER nobody
EXPOSE 1161/udp 1162/udp 1163/udp 1164/udp
CMD ["/usr/bin/python3", "/usr/local/bin/snmpsimd", "--v2c-arch", "--data-dir=/data", \
     "--cache-dir=/cache", "--agent-udpv4-endpoint=0.0.0.0:1161", \
     "--agent-udpv4-endpoint=0.0.0.0:1162", "--agent-udpv4-endpoint=0.0.0.0:1163", \
     "--agent-udpv4-endpoint=0.0.0.0:1164", "--logging-method=stderr"]
