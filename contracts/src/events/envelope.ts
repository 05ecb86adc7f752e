import { Type } from 'class-transformer';
import {
  IsDefined,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { TOKEN_PATTERN } from '../subjects';
import { RUN_ID_PATTERN } from '../vocabulary';
import type { EventData, EventType } from './registry';

/** Where an offloaded event's data is kept. */
export class PayloadRef {
  /** Lower-case hex SHA-256 of the data's JSON text (UTF-8), which is also the object's name. */
  @Matches(/^[0-9a-f]{64}$/) sha256!: string;
  @IsInt() @Min(0) bytes!: number;
}

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
  /**
   * Set when the event was too large for one message (over 256 KB by default): `data` is then
   * `{}` and the real data, as JSON, is object `<tenantId>/<sha256>` of the prefix's `_PAYLOADS`
   * object store bucket. Readers fetch it and check the hash before anything else; the SDK does.
   */
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PayloadRef) dataRef?: PayloadRef;
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
