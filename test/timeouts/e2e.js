// End-to-end tests start the services as processes.
jest.setTimeout(180_000);
