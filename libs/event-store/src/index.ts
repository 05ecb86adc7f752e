export * from './nats-connection';
export * from './streams.provisioner';
export * from './event.codec';
export * from './event.store';
export * from './durable.consumer';
export * from './trace-context';
export * from './request.client';
export * from './nest/jetstream.server';
