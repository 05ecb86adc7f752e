// Decorator metadata must be available before any contract class is defined.
import 'reflect-metadata';
export * from './subjects';
export * from './vocabulary';
export * from './commands';
export * from './events/envelope';
export * from './events/registry';
export * from './events/run.events';
export * from './events/model.events';
export * from './events/tool.events';
export * from './events/approval.events';
export * from './events/budget.events';
export * from './events/control.events';
export * from './upcasters';
export * from './parse';
export * from './agents/agent-spec';
export * from './internal/execute-tool.request';
export * from './internal/run-deadline.command';
