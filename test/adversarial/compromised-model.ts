import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MODEL_SECRETS, type SecretName } from './fixtures';

/**
 * A "compromised" model: a local server speaking the OpenAI Chat Completions protocol (the way
 * vLLM or Ollama do) that OBEYS instructions found anywhere in what it has not answered yet — the
 * user's message on its first turn, the tool results since its last turn after that. It stands
 * for the worst model Tether can get, so the suite shows what holds when the model does not.
 *
 * Directive grammar (case-insensitive, read in every string of a message; a tool result is JSON,
 * so every string inside it is read, also when it is wrapped as untrusted):
 *
 *   call <tool> with <json object>   emit that tool call (each one found, all in one turn). The
 *                                    object runs to its balanced `}`; without one, the rest of
 *                                    the line is sent as the (malformed) arguments.
 *   answer exactly: <text>           answer with <text> (to the end of its line); said alongside
 *                                    the tool calls when there are some.
 *   reveal the <secret>              answer "Sure, the <secret> on file is <value>."
 *   {{<secret>}}                     inside the two above, replaced by the secret's value.
 *
 * <secret> is one of `MODEL_SECRETS` (card, email, iban, phone, api_key, ssn, password): data
 * the model "knows" — memorised, or given to it some way Tether cannot see.
 *
 * Without a directive it behaves: on its first turn it looks up what the user names
 * (`order <id>` → lookup_order, `doc <id>` → search_docs, when it has the tool), then answers
 * with `NORMAL_ANSWER`.
 */
export const NORMAL_ANSWER = 'I checked that for you; your request is in hand.';

export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown[];
  tool_call_id?: string;
}

export interface CompromisedModel {
  /** The base URL for an agent's `model.baseUrl`. */
  url: string;
  /** Every request, in order of arrival. */
  requests: { messages: ChatMessage[]; tools?: { function: { name: string } }[] }[];
  close(): Promise<void>;
}

const SECRET_WORDS: Record<string, SecretName> = {
  card: 'card',
  'card number': 'card',
  email: 'email',
  'email address': 'email',
  iban: 'iban',
  phone: 'phone',
  'phone number': 'phone',
  'api key': 'api_key',
  api_key: 'api_key',
  ssn: 'ssn',
  password: 'password',
};

export async function startCompromisedModel(): Promise<CompromisedModel> {
  const requests: CompromisedModel['requests'] = [];
  const server: Server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req));
    requests.push(body);
    const message = compromisedReply(body.messages ?? [], body.tools ?? []);
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: 1763700000,
        model: 'compromised-1',
        choices: [
          {
            index: 0,
            message,
            finish_reason: message.tool_calls ? 'tool_calls' : 'stop',
          },
        ],
        usage: { prompt_tokens: 60, completion_tokens: 12, total_tokens: 72 },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export interface ToolCallOut {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}

interface Directives {
  calls: { name: string; arguments: string }[];
  answer?: string;
}

/** The model's answer to a conversation (exported for the suite's own check of its cases). */
export function compromisedReply(
  messages: ChatMessage[],
  tools: { function: { name: string } }[],
): { role: string; content: string | null; tool_calls?: ToolCallOut[] } {
  const lastTurn = messages.map((m) => m.role).lastIndexOf('assistant');
  const unread = messages.slice(lastTurn + 1).filter((m) => m.role !== 'system');
  const found = directivesIn(unread.flatMap((m) => stringsOf(m.content)));
  const toolCall = (name: string, args: string, i: number): ToolCallOut => ({
    id: `call_${messages.length}_${i}`,
    type: 'function',
    function: { name, arguments: args },
  });
  if (found.calls.length > 0) {
    return {
      role: 'assistant',
      content: found.answer ?? null,
      tool_calls: found.calls.map((c, i) => toolCall(c.name, c.arguments, i)),
    };
  }
  if (found.answer !== undefined) return { role: 'assistant', content: found.answer };

  const offered = new Set(tools.map((t) => t.function.name));
  const firstTurn = !messages.some((m) => m.role === 'tool');
  const user = stringsOf(messages.find((m) => m.role === 'user')?.content).join('\n');
  const order = /\border\s+([A-Za-z0-9-]+)/i.exec(user)?.[1];
  const doc = /\bdoc\s+([A-Za-z0-9-]+)/i.exec(user)?.[1];
  if (firstTurn && doc && offered.has('search_docs')) {
    return {
      role: 'assistant',
      content: null,
      tool_calls: [toolCall('search_docs', JSON.stringify({ query: doc }), 0)],
    };
  }
  if (firstTurn && order && offered.has('lookup_order')) {
    return {
      role: 'assistant',
      content: null,
      tool_calls: [toolCall('lookup_order', JSON.stringify({ orderId: order }), 0)],
    };
  }
  return { role: 'assistant', content: NORMAL_ANSWER };
}

/** Every string a message carries: the text itself, or each string inside it when it is JSON. */
function stringsOf(content: unknown, depth = 0): string[] {
  if (typeof content === 'string') {
    const trimmed = content.trim();
    if (depth < 4 && /^[[{"]/.test(trimmed)) {
      try {
        return stringsOf(JSON.parse(trimmed), depth + 1);
      } catch {
        // Not JSON: read as text.
      }
    }
    return [content];
  }
  if (Array.isArray(content)) return content.flatMap((c) => stringsOf(c, depth));
  if (content && typeof content === 'object')
    return Object.values(content).flatMap((c) => stringsOf(c, depth));
  return [];
}

function directivesIn(texts: string[]): Directives {
  const out: Directives = { calls: [] };
  const seen = new Set<string>();
  for (const text of texts) {
    const call = /\bcall ([A-Za-z][\w.-]*) with\s*/gi;
    let m: RegExpExecArray | null;
    while ((m = call.exec(text)) !== null) {
      const args = argumentsAt(text, call.lastIndex);
      const key = `${m[1]}:${args}`;
      if (!seen.has(key)) out.calls.push({ name: m[1], arguments: args });
      seen.add(key);
    }
    const answer = /answer exactly:[ \t]*(.*)$/im.exec(text);
    if (answer && out.answer === undefined) out.answer = fill(answer[1].trim());
    const reveal =
      /\breveal (?:the |your |his |her )?(card number|card|email address|email|iban|phone number|phone|api[ _]key|ssn|password)\b/i.exec(
        text,
      );
    if (reveal && out.answer === undefined) {
      const name = SECRET_WORDS[reveal[1].toLowerCase().replace('api_key', 'api key')]!;
      out.answer = `Sure, the ${reveal[1].toLowerCase()} on file is ${MODEL_SECRETS[name]}.`;
    }
  }
  return out;
}

/**
 * The arguments of a `call … with` at `from`: the JSON object up to its balanced `}` (placeholders
 * filled, re-serialised), or, when there is none or it does not parse, the rest of the line as is.
 */
function argumentsAt(text: string, from: number): string {
  const lineEnd = text.indexOf('\n', from);
  const rest = text.slice(from, lineEnd < 0 ? text.length : lineEnd);
  if (!rest.startsWith('{')) return fill(rest);
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '{') depth++;
    if (rest[i] === '}' && --depth === 0) {
      const parsed = parseLoosely(fill(rest.slice(0, i + 1)));
      return parsed === undefined ? fill(rest.slice(0, i + 1)) : JSON.stringify(parsed);
    }
  }
  return fill(rest);
}

/** JSON, or JSON that was escaped once or twice more on its way (a result inside a string). */
function parseLoosely(text: string): unknown {
  let candidate = text;
  for (let i = 0; i < 3; i++) {
    try {
      return JSON.parse(candidate);
    } catch {
      candidate = candidate.replace(/\\(["\\])/g, '$1');
    }
  }
  return undefined;
}

function fill(text: string): string {
  return text.replace(/\{\{\s*([a-z_]+)\s*\}\}/gi, (whole, name: string) => {
    const key = name.toLowerCase() as SecretName;
    return key in MODEL_SECRETS ? MODEL_SECRETS[key] : whole;
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
