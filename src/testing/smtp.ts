import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
}

/** A real SMTP server on 127.0.0.1 for tests, with switches to misbehave. */
export interface TestSmtp {
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** Recipients answered with 550 (permanent). */
  reject: Set<string>;
  /** While > 0, each MAIL FROM drops the connection instead (and counts down). */
  dropNext: number;
  close(): Promise<void>;
}

/** Starts a real SMTP server (smtp-server) on 127.0.0.1 on a free port; no TLS, no auth. */
export async function startSmtp(): Promise<TestSmtp> {
  const sockets = new Set<Socket>();
  const state: TestSmtp = {
    url: '',
    port: 0,
    messages: [],
    reject: new Set(),
    dropNext: 0,
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (state.dropNext > 0) {
        state.dropNext--;
        for (const s of sockets) s.destroy();
        return;
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (state.reject.has(address.address.toLowerCase())) {
        callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        state.messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  server.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  state.port = typeof address === 'object' && address ? address.port : 0;
  state.url = `smtp://127.0.0.1:${state.port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
