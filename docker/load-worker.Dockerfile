# A Locust worker on the compose network (`harness run --backend compose --workers N`): the mock
# image plus the harness package and Locust with everything it imports, copied from the
# harness's own environment (no pip, no registry). Built by `make images`
# (harness/backends/worker_image.py); the master sends the run's locustfile (`-f -`).
ARG MOCK
FROM ${MOCK}
USER root
COPY vendor/ /app/vendor/
COPY harness/ /app/harness/
RUN python3 -m compileall -q /app/harness /app/vendor
USER 65534:65534
# Locust writes the locustfile it receives into the working directory
WORKDIR /tmp
CMD ["python3", "-m", "locust", "--help"]
