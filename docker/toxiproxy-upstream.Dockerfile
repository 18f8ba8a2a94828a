# Shopify's official Toxiproxy image, when it could be pulled; only our labels are added.
ARG UPSTREAM
FROM ${UPSTREAM}
ENTRYPOINT ["/toxiproxy"]
CMD ["-host=0.0.0.0"]
