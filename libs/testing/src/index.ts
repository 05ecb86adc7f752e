export * from './decider-spec';
export * from './run-events.builder';
export * from './infra.helper';
export * from './long-run-agent';
export * from './service.helper';
export * from './metrics.helper';
export * from './detailed-run';
export * from './notice-router.helper';
