// Integration tests talk to real NATS and Postgres: allow for a loaded machine.
jest.setTimeout(60_000);
