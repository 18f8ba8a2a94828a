# Shopify Toxiproxy from the locally built static binary (.tools/bin/toxiproxy-server): no
# registry needed. Built by `make images` when ghcr.io/shopify/toxiproxy cannot be pulled.
FROM scratch
COPY toxiproxy-server /toxiproxy-server
USER 65534:65534
EXPOSE 8474
ENTRYPOINT ["/toxiproxy-server"]
CMD ["-host=0.0.0.0"]
