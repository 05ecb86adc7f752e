import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { TOKEN_PATTERN } from '@tether/contracts';
import { DURATION_PATTERN, KeyStatus } from '../domain/api-key';
import { ROLES, type Role } from '../domain/roles';

export const KEY_ID_PATTERN = /^key_[0-9A-Z]{26}$/;
/** A user id as runs and approvals carry it: up to 128 characters, no white space. */
const SUBJECT_PATTERN = /^\S{1,128}$/;

/** `POST /v1/keys`: a key for the caller's own tenant. */
export class CreateKeyBody {
  @ApiProperty({
    description: 'The user id the key acts as (the approverId of its decisions).',
    example: 'u_12',
  })
  @Matches(SUBJECT_PATTERN, { message: 'subject must be 1-128 characters without white space' })
  subject!: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['approver', 'user'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles!: Role[];

  @ApiPropertyOptional({
    description: 'Lifetime from now: a whole number and s, m, h, d or w. Not with expiresAt.',
    example: '30d',
  })
  @IsOptional()
  @Matches(DURATION_PATTERN, {
    message: 'expiresIn must be a number and a unit (s, m, h, d, w), e.g. 30d',
  })
  expiresIn?: string;

  @ApiPropertyOptional({
    description: 'Expiry as an ISO 8601 time in the future. Not with expiresIn.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;

  @ApiPropertyOptional({ description: 'A label for listings.', example: 'ops console' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;
}

/** `keys.create` over NATS: the operator of the cluster names the tenant. */
export class CreateTenantKeyRequest extends CreateKeyBody {
  @Matches(TOKEN_PATTERN, { message: 'tenantId must be 1-64 letters, digits, "_" or "-"' })
  tenantId!: string;

  /** Recorded as the key's creator; `nats` when absent. */
  @IsOptional()
  @Matches(SUBJECT_PATTERN)
  createdBy?: string;
}

/** `keys.list` over NATS. */
export class ListKeysRequest {
  @Matches(TOKEN_PATTERN, { message: 'tenantId must be 1-64 letters, digits, "_" or "-"' })
  tenantId!: string;
}

/** `keys.revoke` over NATS: any tenant's key, by id. */
export class RevokeKeyRequest {
  @Matches(KEY_ID_PATTERN, { message: 'keyId must be "key_" and a ULID' })
  keyId!: string;

  @IsOptional()
  @Matches(SUBJECT_PATTERN)
  revokedBy?: string;
}

/** A key as listed: never its hash, never the clear key. */
export class ApiKeyView {
  @ApiProperty({ example: 'key_01JDQ7ZK3V9W2M4N6P8R0T2V4X' }) keyId!: string;
  @ApiProperty({ example: 'acme' }) tenantId!: string;
  @ApiProperty({ example: 'u_12' }) subject!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: string[];
  @ApiPropertyOptional() name?: string;
  @ApiProperty({
    description: 'The first characters of the key, to recognise it.',
    example: 'tk_Ab3dE9xQ',
  })
  prefix!: string;
  @ApiProperty({ enum: Object.values(KeyStatus) }) status!: KeyStatus;
  @ApiProperty({ description: 'Key id of the admin who created it, or the NATS caller.' })
  createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) expiresAt?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Updated at most once a minute.' })
  lastUsedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) revokedAt?: string;
}

/** The answer to a creation: the only time the clear key is shown. */
export class CreatedApiKey extends ApiKeyView {
  @ApiProperty({
    description: 'The clear key. Store it now: it is not shown again.',
    example: 'tk_…',
  })
  key!: string;
}

export class ApiKeyList {
  @ApiProperty({ type: [ApiKeyView] }) items!: ApiKeyView[];
}
