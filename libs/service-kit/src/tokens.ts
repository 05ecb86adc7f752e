import { Inject } from '@nestjs/common';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const LOGGER = Symbol('LOGGER');

export const InjectNats = () => Inject(NATS_CONNECTION);
export const InjectConfig = () => Inject(SERVICE_CONFIG);
export const InjectLogger = () => Inject(LOGGER);
