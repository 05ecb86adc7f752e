// The receiver of libs/webhooks/README.md, kept here so that tsc and eslint check it.
import { createServer } from 'node:http';
import { WEBHOOK_SIGNATURE_HEADER, verifyWebhook } from '@tether/webhooks';

const secret = process.env.TETHER_WEBHOOK_SECRET ?? '';
createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8'); // the raw bytes, not re-serialised JSON
    const header = req.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()];
    const nowSec = Math.floor(Date.now() / 1000);
    if (!verifyWebhook(secret, body, String(header), { nowSec })) return res.writeHead(401).end();
    res.writeHead(204).end(); // answer fast; dedupe on Tether-Webhook-Id, then handle the event
  });
}).listen(8080);
