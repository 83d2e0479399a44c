"""Reading the project's own source: which dotenv loaders it calls, with which arguments, and in
which order relative to building an SDK client (load-order hazards, EA211-EA213)."""
