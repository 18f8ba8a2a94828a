"""The real Shopify Toxiproxy: finding or building the server, running it, talking to it."""

VERSION = "2.12.0"
