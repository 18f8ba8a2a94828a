# The mock dispatch world: one image for every service; the command picks the module
# (`python3 -m mock_services.<module>`). Built by `make images` (harness/backends/images.py),
# which puts mock_services/ and the pure-Python packages the mocks import in the context.
ARG BASE
FROM ${BASE}
ENV PYTHONPATH=/app:/app/vendor PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LANG=C.UTF-8
COPY vendor/ /app/vendor/
COPY mock_services/ /app/mock_services/
# Compile once here, not in every container at start-up; /data holds GMS and meldkamer SQLite.
RUN python3 -m compileall -q /app && mkdir -p /data && chown 65534:65534 /data
WORKDIR /app
USER 65534:65534
CMD ["python3", "-c", "print('run python3 -m mock_services.<module>')"]
