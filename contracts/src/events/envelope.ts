import { IsDefined, IsInt, IsISO8601, IsOptional, IsString, Matches, Min } from 'class-validator';
import { TOKEN_PATTERN } from '../subjects';
import { RUN_ID_PATTERN } from '../vocabulary';
import type { EventData, EventType } from './registry';

/** The envelope every event travels in, one per message on `<P>.evt.<tenant>.<runId>`. */
export class EventEnvelope {
  /** `evt_` + ULID; the message's `Nats-Msg-Id`, so a re-publish is a no-op. */
  @Matches(/^evt_[A-Za-z0-9]{10,40}$/) id!: string;
  /** Dotted wire name, also in the `Tether-Type` header. */
  @IsString() type!: string;
  /** Version of `data`'s schema for this type; older versions are upcast on read. */
  @IsInt() @Min(1) schemaVersion!: number;
  @Matches(RUN_ID_PATTERN) runId!: string;
  @Matches(TOKEN_PATTERN) tenantId!: string;
  /** ISO-8601 UTC time the event was decided. */
  @IsISO8601({ strict: true }) time!: string;
  /** `<service>@<version>` that appended it. */
  @IsString() source!: string;
  /** The event (or command id) that caused this one. */
  @IsOptional() @IsString() causationId?: string;
  /** W3C trace context of the decision. */
  @IsOptional() @IsString() traceparent?: string;
  @IsDefined() data!: unknown;
}

/** A validated event with its data typed by `type`. */
export type TetherEvent<T extends EventType = EventType> = {
  [K in T]: Omit<EventEnvelope, 'type' | 'data'> & { type: K; data: EventData<K> };
}[T];

/** An event as read back from the log, with its stream sequence. */
export interface StoredEvent<T extends EventType = EventType> {
  seq: number;
  event: TetherEvent<T>;
}
