import { IsOptional, IsString } from 'class-validator';

/**
 * `command.rejected` on `<P>.ctl.<tenant>.rejected` (stream _CTL): a command that could not be
 * tied to a run (unparseable JSON, no usable runId). Nothing is dropped silently.
 */
export class CommandRejected {
  @IsString() id!: string;
  @IsString() type!: 'command.rejected';
  @IsString() time!: string;
  @IsString() tenantId!: string;
  /** The subject the command arrived on. */
  @IsString() subject!: string;
  /** The command's `Nats-Msg-Id`, when it had one. */
  @IsOptional() @IsString() requestId?: string;
  @IsString() reason!: string;
  @IsString() message!: string;
  /** The first 4 KiB of the original body, as text. */
  @IsString() body!: string;
}
