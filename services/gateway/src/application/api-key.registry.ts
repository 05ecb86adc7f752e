import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsNull, type DataSource, type Repository } from 'typeorm';
import { NotFoundError, ValidationError } from '@tether/errors';
import { newId } from '@tether/event-store';
import { ApiKeyEntity } from '../adapters/persistence/api-key.entity';
import {
  KEY_RANDOM_BYTES,
  KeyStatus,
  durationMs,
  formatKey,
  hashKey,
  isKeyShaped,
  keyStatus,
  visiblePrefix,
} from '../domain/api-key';
import type { ApiKeyView, CreateKeyBody, CreatedApiKey } from './api-key.requests';

/** Who a request comes from: what its key says. */
export interface Caller {
  keyId: string;
  tenantId: string;
  /** The user id the key acts as. */
  subject: string;
  roles: string[];
}

export type Authentication =
  { ok: true; caller: Caller } | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

/** `last_used_at` is written at most this often per key, so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The gateway's API keys: creation (the only time the clear key exists), listing, revocation, authentication. */
@Injectable()
export class ApiKeyRegistry {
  private readonly keys: Repository<ApiKeyEntity>;

  constructor(@InjectDataSource() db: DataSource) {
    this.keys = db.getRepository(ApiKeyEntity);
  }

  async create(
    tenantId: string,
    body: CreateKeyBody,
    createdBy: string,
    now = new Date(),
  ): Promise<CreatedApiKey> {
    const key = formatKey(randomBytes(KEY_RANDOM_BYTES));
    const row = this.keys.create({
      id: newId('key'),
      tenantId,
      subject: body.subject,
      roles: [...body.roles],
      name: body.name ?? null,
      prefix: visiblePrefix(key),
      keyHash: hashKey(key),
      createdBy,
      createdAt: now,
      expiresAt: expiryOf(body, now),
      lastUsedAt: null,
      revokedAt: null,
      revokedBy: null,
    });
    await this.keys.insert(row);
    return { ...viewOf(row, now), key };
  }

  async list(tenantId: string, now = new Date()): Promise<ApiKeyView[]> {
    const rows = await this.keys.find({ where: { tenantId }, order: { createdAt: 'DESC' } });
    return rows.map((r) => viewOf(r, now));
  }

  /**
   * Revokes a key at once (the next request with it is refused). Revoking a revoked key changes
   * nothing. With `tenantId`, another tenant's key is "not found", like a key that never existed.
   */
  async revoke(
    keyId: string,
    by: { tenantId?: string; revokedBy: string },
    now = new Date(),
  ): Promise<ApiKeyView> {
    const row = await this.keys.findOneBy({ id: keyId });
    if (!row || (by.tenantId !== undefined && row.tenantId !== by.tenantId))
      throw new NotFoundError(`key ${keyId} not found`);
    if (row.revokedAt) return viewOf(row, now);
    await this.keys.update(
      { id: keyId, revokedAt: IsNull() },
      { revokedAt: now, revokedBy: by.revokedBy },
    );
    // Read back: a concurrent revocation may have been first, and its time is the one that holds.
    return viewOf(await this.keys.findOneByOrFail({ id: keyId }), now);
  }

  async authenticate(presented: string, now = new Date()): Promise<Authentication> {
    if (!isKeyShaped(presented)) return { ok: false, reason: 'unknown' };
    const row = await this.keys.findOneBy({ keyHash: hashKey(presented) });
    if (!row) return { ok: false, reason: 'unknown' };
    const status = keyStatus(row, now);
    if (status !== KeyStatus.Active) return { ok: false, reason: status };
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS)
      await this.keys.update({ id: row.id }, { lastUsedAt: now });
    return {
      ok: true,
      caller: { keyId: row.id, tenantId: row.tenantId, subject: row.subject, roles: row.roles },
    };
  }
}

function expiryOf(body: CreateKeyBody, now: Date): Date | null {
  if (body.expiresIn !== undefined && body.expiresAt !== undefined)
    throw new ValidationError('invalid key', ['give expiresIn or expiresAt, not both']);
  if (body.expiresIn !== undefined) {
    const ms = durationMs(body.expiresIn);
    if (ms === undefined) throw new ValidationError('invalid key', ['expiresIn: not a duration']);
    return new Date(now.getTime() + ms);
  }
  if (body.expiresAt !== undefined) {
    const at = new Date(body.expiresAt);
    if (!(at.getTime() > now.getTime()))
      throw new ValidationError('invalid key', ['expiresAt must be in the future']);
    return at;
  }
  return null;
}

function viewOf(row: ApiKeyEntity, now: Date): ApiKeyView {
  return {
    keyId: row.id,
    tenantId: row.tenantId,
    subject: row.subject,
    roles: row.roles,
    ...(row.name !== null && { name: row.name }),
    prefix: row.prefix,
    status: keyStatus(row, now),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    ...(row.expiresAt && { expiresAt: row.expiresAt.toISOString() }),
    ...(row.lastUsedAt && { lastUsedAt: row.lastUsedAt.toISOString() }),
    ...(row.revokedAt && { revokedAt: row.revokedAt.toISOString() }),
  };
}
