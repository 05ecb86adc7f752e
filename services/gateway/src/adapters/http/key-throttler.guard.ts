import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedRequest } from './caller.decorator';

/**
 * Rate limit per API key (after `ApiKeyGuard`, so the key is known), across every route: one
 * budget per key, not one per endpoint. Counters live in each instance's memory.
 */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as Partial<AuthenticatedRequest>;
    return r.caller?.keyId ?? `ip:${r.ip ?? 'unknown'}`;
  }
}
