"""The local backend: toxiproxy-server and every mock service as child processes of a supervisor."""
