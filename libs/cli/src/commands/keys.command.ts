import { subjects } from '@tether/contracts';
import { requestService } from '@tether/event-store';
import { ServiceUnavailableError, isNoResponders, isRequestTimeout } from '@tether/sdk';
import type { Invocation } from '../argv.parser';
import { ExitCode } from '../cli.errors';
import type { CommandContext } from './command.context';

type KeysInvocation = Extract<Invocation, { command: 'keys' }>;

/** How long `tether keys` waits for the gateway. */
export const KEYS_REQUEST_MS = 10_000;

/** A key as the gateway lists it (`<P>.svc.gateway.keys.*`, see services/gateway/README.md). */
interface KeyView {
  keyId: string;
  tenantId: string;
  subject: string;
  roles: string[];
  name?: string;
  prefix: string;
  status: string;
  createdBy: string;
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

/**
 * `tether keys create|list|revoke`: the gateway's API keys, managed over NATS (the bootstrap path
 * for a tenant's first admin key). `create` prints the clear key alone on stdout, once.
 */
export async function keysCommand(ctx: CommandContext, inv: KeysInvocation): Promise<ExitCode> {
  const by = inv.action === 'list' ? undefined : (inv.by ?? ctx.config.operator);
  switch (inv.action) {
    case 'create': {
      const created = await gateway<KeyView & { key: string }>(ctx, 'keys.create', {
        tenantId: inv.tenant,
        subject: inv.subject,
        roles: inv.roles,
        ...inv.expires,
        ...(inv.name !== undefined && { name: inv.name }),
        ...(by !== undefined && { createdBy: by }),
      });
      if (ctx.config.json) ctx.out(JSON.stringify(created));
      else {
        ctx.out(created.key);
        ctx.err(
          `created ${describe(created)}, roles ${created.roles.join(',')}, ${created.expiresAt ? `expires ${created.expiresAt}` : 'no expiry'}. Store the key now: it is not shown again.`,
        );
      }
      return ExitCode.Ok;
    }
    case 'list': {
      const { items } = await gateway<{ items: KeyView[] }>(ctx, 'keys.list', {
        tenantId: inv.tenant,
      });
      if (ctx.config.json) items.forEach((k) => ctx.out(JSON.stringify(k)));
      else if (!items.length) ctx.out(`no keys in tenant ${inv.tenant}`);
      else printTable(ctx, items);
      return ExitCode.Ok;
    }
    case 'revoke': {
      const revoked = await gateway<KeyView>(ctx, 'keys.revoke', {
        keyId: inv.keyId,
        ...(by !== undefined && { revokedBy: by }),
      });
      ctx.out(
        ctx.config.json
          ? JSON.stringify(revoked)
          : `revoked ${describe(revoked)} at ${revoked.revokedAt}`,
      );
      return ExitCode.Ok;
    }
    default: {
      const never: never = inv;
      return never;
    }
  }
}

function describe(k: KeyView): string {
  return `${k.keyId} (${k.prefix}…) for ${k.subject} in tenant ${k.tenantId}`;
}

function printTable(ctx: CommandContext, items: KeyView[]): void {
  const rows = items.map((k) => [
    k.keyId,
    `${k.prefix}…`,
    k.subject,
    k.roles.join(','),
    k.status,
    k.expiresAt ?? '-',
    k.lastUsedAt ?? '-',
    k.name ?? '',
  ]);
  const head = ['key', 'prefix', 'subject', 'roles', 'status', 'expires', 'last used', 'name'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [head, ...rows])
    ctx.out(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}

async function gateway<T>(ctx: CommandContext, op: string, body: unknown): Promise<T> {
  const { nc, prefix } = ctx.client;
  try {
    return await requestService<T>(nc, prefix, 'gateway', op, body, KEYS_REQUEST_MS);
  } catch (err) {
    if (isNoResponders(err) || isRequestTimeout(err))
      throw new ServiceUnavailableError(
        `the gateway does not answer ${subjects.service(prefix, 'gateway', op)}: is it running on prefix "${prefix}"?`,
        'gateway',
        { cause: err },
      );
    throw err;
  }
}
