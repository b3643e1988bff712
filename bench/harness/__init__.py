"""vigil's benchmark harness: workloads x tracing modes, measured side by side in one run."""
