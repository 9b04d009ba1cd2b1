/**
 * A minimal WebSocket client (RFC 6455) straight on a TCP socket, for the load generator only.
 *
 * Why not `ws`: on a 2-core machine the generator has one core to drive a target that has the
 * other, and a `ws` client costs about what the relay it loads does per frame (measured: the
 * generator's event loop saturated before the bare relay did). This client does only what the
 * bench needs: the upgrade handshake (checking `Sec-WebSocket-Accept`), masked text frames out
 * (one write each, as a browser sends them; masks are non-zero, so the target unmasks as it
 * would for a browser), unmasked text frames in, close. No extensions, no fragmentation (the
 * targets never fragment frames this small).
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Every socket reads into this one buffer (`onread`: no Buffer and no stream event per read,
 * the generator's largest cost after the write syscall). Only the bytes of an incomplete frame
 * are copied out of it.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/** An open client WebSocket. */
export class RawWebSocket {
  /** Called with the text of each frame received. */
  onText: (text: string) => void = () => undefined;
  /** Called once when the connection ends, with the close code (1006 when there was no close frame). */
  onClose: (code: number) => void = () => undefined;
  closed = false;
  private pending: Buffer | null = null;
  private mask: number;

  private constructor(private readonly socket: Socket, rest: Buffer) {
    this.mask = randomBytes(4).readUInt32LE(0) | 1;
    socket.on('close', () => this.gone(1006));
    socket.on('error', () => undefined);
    // Neither target speaks before the client does, so nothing is waiting here in practice.
    if (rest.length > 0) this.pending = rest;
  }

  /** Connects and upgrades; rejects with the HTTP status line when the server refuses. */
  static open(url: string): Promise<RawWebSocket> {
    const u = new URL(url);
    const key = randomBytes(16).toString('base64');
    const expected = createHash('sha1').update(key + GUID).digest('base64');
    return new Promise((resolve, reject) => {
      let deliver: (chunk: Buffer) => void = () => undefined;
      const socket = connect({
        host: u.hostname,
        port: Number(u.port),
        noDelay: true,
        onread: {
          buffer: READ_BUFFER,
          callback: (n: number, buf: Uint8Array) => {
            deliver(Buffer.from(buf.buffer, buf.byteOffset, n));
            return true;
          },
        },
      });
      let head = Buffer.alloc(0);
      const fail = (why: string) => {
        socket.destroy();
        reject(new Error(why));
      };
      socket.once('error', (error) => fail(error.message));
      socket.once('connect', () => {
        socket.write(
          `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      const onHead = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return head.length > 16_384 ? fail('oversized handshake response') : undefined;
        socket.removeAllListeners('error');
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const status = lines[0] ?? '';
        if (!/^HTTP\/1\.1 101/.test(status)) return fail(`the upgrade was refused: ${status}`);
        const accept = lines.find((l) => /^sec-websocket-accept:/i.test(l))?.split(':')[1]?.trim();
        if (accept !== expected) return fail('bad Sec-WebSocket-Accept');
        const ws = new RawWebSocket(socket, head.subarray(end + 4));
        deliver = (data) => ws.onData(data);
        resolve(ws);
      };
      deliver = onHead;
    });
  }

  /** Sends one masked text frame (one write). */
  send(text: string): void {
    if (this.closed) return;
    const length = Buffer.byteLength(text);
    const header = length < 126 ? 6 : length < 65_536 ? 8 : 14;
    const frame = Buffer.allocUnsafe(header + length);
    frame[0] = 0x81;
    if (length < 126) frame[1] = 0x80 | length;
    else if (length < 65_536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    // xorshift32: a fresh non-zero mask per frame, without a call into the crypto pool.
    let m = this.mask;
    m ^= m << 13;
    m ^= m >>> 17;
    m ^= m << 5;
    this.mask = m || 1;
    frame.writeInt32BE(this.mask, header - 4);
    frame.write(text, header, 'utf8');
    const m0 = frame[header - 4] as number;
    const m1 = frame[header - 3] as number;
    const m2 = frame[header - 2] as number;
    const m3 = frame[header - 1] as number;
    const end = header + length;
    let i = header;
    for (; i + 3 < end; i += 4) {
      frame[i] = (frame[i] as number) ^ m0;
      frame[i + 1] = (frame[i + 1] as number) ^ m1;
      frame[i + 2] = (frame[i + 2] as number) ^ m2;
      frame[i + 3] = (frame[i + 3] as number) ^ m3;
    }
    const mask = [m0, m1, m2, m3];
    for (; i < end; i++) frame[i] = (frame[i] as number) ^ (mask[(i - header) & 3] as number);
    this.socket.write(frame);
  }

  /** Sends a close frame (1000) and ends the socket. */
  close(): void {
    if (this.closed) return;
    const frame = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]);
    this.socket.end(frame);
  }

  /** Drops the socket at once. */
  terminate(): void {
    this.socket.destroy();
  }

  /** Reads the frames of `chunk` (a view of the shared read buffer, valid during this call only). */
  private onData(chunk: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    while (buf.length - at >= 2) {
      const b0 = buf[at] as number;
      let length = (buf[at + 1] as number) & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buf.length - at < 4) break;
        length = buf.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (buf.length - at < 10) break;
        length = Number(buf.readBigUInt64BE(at + 2));
        header = 10;
      }
      if (buf.length - at < header + length) break;
      const start = at + header;
      at = start + length;
      const opcode = b0 & 0x0f;
      if (opcode === 0x1) this.onText(buf.toString('utf8', start, start + length));
      else if (opcode === 0x8) {
        this.gone(length >= 2 ? buf.readUInt16BE(start) : 1005);
        this.socket.end();
        return;
      } else if (opcode === 0x9) this.control(0x8a, buf.subarray(start, start + length));
    }
    if (at < buf.length) this.pending = Buffer.from(buf.subarray(at));
  }

  /** Answers a ping with a pong carrying its body. */
  private control(first: number, body: Buffer): void {
    const frame = Buffer.alloc(6 + body.length);
    frame[0] = first;
    frame[1] = 0x80 | body.length;
    body.copy(frame, 6);
    this.socket.write(frame);
  }

  private gone(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(code);
  }
}
