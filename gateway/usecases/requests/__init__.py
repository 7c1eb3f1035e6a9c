"""The request bodies use cases take, whoever sends them (the API, the bots, the console, the
CLI): owned here so that no entry point imports another's models."""
